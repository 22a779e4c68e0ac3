/* lpatch target: fetch and prepare a target kernel, print where its parts are. */
#include "cli/cli.h"

#include "target/target.h"
#include "util/cache.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	char *cache = lp_cache_dir();

	printf("usage: lpatch target [--json] [--need LIST] SPEC\n"
	       "       lpatch target [--json] SPEC@all\n"
	       "       lpatch target [--json] --src DIR [--config FILE] [--vmlinux FILE] "
	       "[--symvers FILE]\n\n"
	       "Fetch a target kernel's parts into lpatch's cache (Debian packages with apt),\n"
	       "prepare what is asked for, and print where each part is. A second run finds\n"
	       "everything in the cache and returns at once.\n\n"
	       "SPEC is debian:cloud or debian:amd64 (the newest kernel of that flavour in the\n"
	       "apt lists), or debian:RELEASE for an exact one, e.g. debian:6.1.0-56-cloud-amd64.\n"
	       "Debian 13 (trixie, 6.12) kernels are debian13:cloud, debian13:amd64 and\n"
	       "debian13:RELEASE (e.g. debian13:6.12.118+deb13-cloud-amd64): fetched through\n"
	       "lpatch's own apt configuration (the cache's apt/trixie/; /etc/apt is not used)\n"
	       "and built in a trixie build root with gcc-14 (the cache's roots/trixie/, made\n"
	       "once with mmdebstrap; `root` below).\n\n"
	       "SPEC@all (debian:cloud@all, debian13:cloud@all, ...) prints, one a line, the\n"
	       "exact targets `lpatch build --target SPEC@all` builds, and fetches nothing\n"
	       "(--json: {\"set\": SPEC@all, \"targets\": [...]}).\n\n"
	       "options:\n"
	       "  --need LIST     what to make ready, comma-separated (default: boot,headers):\n"
	       "                    boot     vmlinuz, config, modules (with modules.dep)\n"
	       "                    headers  a tree for `make -C HEADERS M=DIR modules`, Module.symvers\n"
	       "                    symbols  vmlinux with its symbol table, the real System.map\n"
	       "                    source   the source tree, configured, modules_prepare done\n"
	       "                    all      all of these\n"
	       "  --json          print one JSON object (null for the parts not fetched)\n"
	       "  --src DIR       a custom kernel: its prepared source tree (instead of SPEC)\n"
	       "  --config FILE   its .config (default: DIR/.config)\n"
	       "  --vmlinux FILE  its vmlinux (default: DIR/vmlinux)\n"
	       "  --symvers FILE  its Module.symvers (default: DIR/Module.symvers)\n\n"
	       "Printed: release, version, dir, vmlinuz, config, vmlinux, system_map, symvers,\n"
	       "headers, modules, src, cc (the compiler the kernel was built with), root (the\n"
	       "build root kbuild runs in; - for the host).\n"
	       "Cache: $LPATCH_CACHE, else $XDG_CACHE_HOME/lpatch, else ~/.cache/lpatch\n"
	       "(here: %s); debs in its debs/, targets in targets/RELEASE/.\n"
	       "Exit: 0 ready, 1 fetching or preparing failed, 2 bad usage or no such kernel.\n",
	       cache);
	free(cache);
}

/* "boot,headers" -> TARGET_BOOT|TARGET_HEADERS; 0 for a word it does not know. */
static unsigned parse_need(const char *list, const char **bad)
{
	static const struct {
		const char *word;
		unsigned need;
	} words[] = {
		{ "boot", TARGET_BOOT }, { "headers", TARGET_HEADERS },
		{ "symbols", TARGET_SYMBOLS }, { "source", TARGET_SOURCE },
		{ "all", TARGET_BOOT | TARGET_HEADERS | TARGET_SYMBOLS | TARGET_SOURCE },
	};
	unsigned need = 0;

	for (const char *w = list; *w;) {
		size_t n = strcspn(w, ","), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == n && !strncmp(words[i].word, w, n))
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			*bad = w;
			return 0;
		}
		need |= words[i].need;
		w += n + (w[n] == ',');
	}
	return need;
}

static void print_target(const struct kernel_target *t, bool json)
{
	const struct {
		const char *key;
		const char *value;
	} f[] = {
		{ "spec", t->spec }, { "release", t->release }, { "version", t->version },
		{ "dir", t->dir }, { "vmlinuz", t->vmlinuz }, { "config", t->config },
		{ "vmlinux", t->vmlinux }, { "system_map", t->system_map },
		{ "symvers", t->symvers }, { "headers", t->headers }, { "modules", t->modules },
		{ "src", t->src }, { "cc", t->cc }, { "root", t->root },
	};
	struct strbuf sb = {0};
	struct json j;

	if (!json) {
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			printf("%-11s %s\n", f[i].key, f[i].value ? f[i].value : "-");
		return;
	}
	json_init(&j, &sb, JSON_PRETTY);
	json_obj_begin(&j);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		json_kstr(&j, f[i].key, f[i].value);
	json_obj_end(&j);
	json_print(&j);
}

/* SPEC@all: the exact targets of the set, fetched by nothing. */
static int print_set(const char *set, bool json)
{
	char **specs = NULL;
	size_t n = 0, cap = 0;
	int ret = target_expand(set, &specs, &n, &cap);
	struct strbuf sb = {0};
	struct json j;

	if (!ret && !json)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", specs[i]);
	if (!ret && json) {
		json_init(&j, &sb, JSON_PRETTY);
		json_obj_begin(&j);
		json_kstr(&j, "set", set);
		json_karr_begin(&j, "targets");
		for (size_t i = 0; i < n; i++)
			json_str(&j, specs[i]);
		json_arr_end(&j);
		json_obj_end(&j);
		json_print(&j);
	}
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
	return lp_exit_code(ret, LP_EXIT_FAIL);
}

int cmd_target(int argc, char **argv)
{
	const char *spec, *need_arg = "boot,headers", *bad = NULL;
	const char *src = NULL, *config = NULL, *vmlinux = NULL, *symvers = NULL;
	struct kernel_target t;
	bool json = false;
	unsigned need;
	const struct cli_opt opts[] = {
		{ "--json", .flag = &json },
		{ "--need", .str = &need_arg },
		{ "--src", .str = &src },
		{ "--config", .str = &config },
		{ "--vmlinux", .str = &vmlinux },
		{ "--symvers", .str = &symvers },
		{ NULL },
	};
	const struct cli_cmd cmd = { "target", usage, opts, .arg = "target", .max_args = 1 };
	int ret = cli_parse(&cmd, argc, argv, NULL);

	if (ret != CLI_GO_ON)
		return ret;
	spec = argv[1];	/* NULL when not given */
	if (!(need = parse_need(need_arg, &bad)))
		return cli_usage_error("target", "--need: unknown part '%s' (boot, headers, "
				       "symbols, source, all)", bad ? bad : need_arg);
	if (spec && src)
		return cli_usage_error("target", "give either a SPEC or --src, not both");
	if (!src && (config || vmlinux || symvers))
		return cli_usage_error("target", "--config, --vmlinux and --symvers go with --src");
	if (!spec && !src)
		return cli_usage_error("target", "which kernel? e.g. `lpatch target debian:cloud`");
	if (spec && strchr(spec, '@'))
		return print_set(spec, json);
	ret = src ? target_custom(src, config, vmlinux, symvers, &t) : target_open(spec, need, &t);
	if (ret)
		return lp_exit_code(ret, LP_EXIT_FAIL);
	print_target(&t, json);
	target_free(&t);
	return LP_EXIT_OK;
}
