/* lpatch cache list | prune: the releases in lpatch's cache, the disk each
 * part takes, and trimming it. */
#include "cli/cli.h"

#include "target/debian/cache.h"
#include "util/cache.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	char *cache = lp_cache_dir();

	printf("usage: lpatch cache list [--json]\n"
	       "       lpatch cache prune [--dry-run] [--json] (--keep N | RELEASE...)\n\n"
	       "list: the kernel releases in lpatch's cache, newest first, with the disk each\n"
	       "part takes: debs (its .debs and the shared linux-source, linux-kbuild and\n"
	       "headers-common at its version, counted in every release that uses them), image,\n"
	       "headers, symbols (vmlinux and modules with symbols), source (the prepared tree),\n"
	       "vm (the guest's modules disk), logs (prepare.log, stamps, locks); in use: a\n"
	       "running lpatch holds one of its locks. Then what belongs to no release, and\n"
	       "the whole cache with each file once.\n\n"
	       "prune: remove releases, all of their parts: the newest N kept (--keep N), or\n"
	       "the RELEASEs named. A shared .deb goes only when no release that stays uses it.\n"
	       "A release a running lpatch is using (building, preparing, running its VM's\n"
	       "disk) is kept whole, with a warning. Each target directory is renamed aside\n"
	       "under its locks before it is deleted: an interrupted prune leaves no half\n"
	       "release under its name. A later build fetches and prepares it again.\n\n"
	       "options:\n"
	       "  --keep N     prune: keep the newest N releases (by version), remove the rest\n"
	       "  --dry-run    prune: say what would go and the disk freed; remove nothing\n"
	       "  --json       one JSON object\n\n"
	       "Cache: $LPATCH_CACHE, else $XDG_CACHE_HOME/lpatch, else ~/.cache/lpatch\n"
	       "(here: %s).\n"
	       "Exit: 0; 1 when something could not be removed or a release was in use;\n"
	       "2 bad usage or a RELEASE not in the cache.\n",
	       cache);
	free(cache);
}

/* 1536 -> "1.5K"; disk sizes in binary units like du -h. */
static char *human(long long b)
{
	const char *units = "BKMGT";
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		return xasprintf("%lld", b);
	return xasprintf(v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void print_table(const struct cache_inventory *inv)
{
	char *s;

	printf("%-28s %-11s", "RELEASE", "VERSION");
	for (int p = 0; p < CACHE_NPARTS; p++)
		printf(" %7s", cache_part_names[p]);
	printf(" %7s\n", "total");
	for (size_t i = 0; i < inv->n; i++) {
		const struct cache_release *r = &inv->r[i];

		printf("%-28s %-11s", r->release, r->version ? r->version : "-");
		for (int p = 0; p < CACHE_NPARTS; p++) {
			printf(" %7s", r->bytes[p] ? (s = human(r->bytes[p])) : (s = xstrdup("-")));
			free(s);
		}
		printf(" %7s%s\n", s = human(r->total), r->busy ? "  in use" : "");
		free(s);
	}
	if (!inv->n)
		printf("(no release)\n");
	printf("\nother (logs/, vm/, ...): %s\n", s = human(inv->other));
	free(s);
	printf("cache %s: %s\n", inv->dir, s = human(inv->total));
	free(s);
}

static void json_release(struct json *j, const struct cache_release *r)
{
	json_obj_begin(j);
	json_kstr(j, "release", r->release);
	json_kstr(j, "version", r->version);
	json_kstr(j, "dir", r->dir);
	json_kobj_begin(j, "bytes");
	for (int p = 0; p < CACHE_NPARTS; p++)
		json_kint(j, cache_part_names[p], r->bytes[p]);
	json_obj_end(j);
	json_kint(j, "shared_debs_bytes", r->shared);
	json_kint(j, "total_bytes", r->total);
	json_kbool(j, "in_use", r->busy);
	json_karr_begin(j, "debs");
	for (size_t k = 0; k < r->ndebs; k++)
		json_str(j, r->debs[k]);
	json_arr_end(j);
	json_obj_end(j);
}

static int cache_list(int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = { { "--json", .flag = &json }, { NULL } };
	const struct cli_cmd cmd = { "cache list", usage, opts, .arg = "argument", .max_args = 0 };
	struct cache_inventory inv;
	struct strbuf sb = {0};
	struct json j;
	char *dir;
	int ret = cli_parse(&cmd, argc, argv, NULL);

	if (ret != CLI_GO_ON)
		return ret;
	dir = lp_cache_dir();
	if (cache_scan(dir, &inv)) {
		free(dir);
		return LP_EXIT_FAIL;
	}
	if (!json) {
		print_table(&inv);
	} else {
		json_init(&j, &sb, JSON_PRETTY);
		json_obj_begin(&j);
		json_kstr(&j, "cache", inv.dir);
		json_karr_begin(&j, "releases");
		for (size_t i = 0; i < inv.n; i++)
			json_release(&j, &inv.r[i]);
		json_arr_end(&j);
		json_kint(&j, "other_bytes", inv.other);
		json_kint(&j, "total_bytes", inv.total);
		json_obj_end(&j);
		json_print(&j);
	}
	cache_inventory_free(&inv);
	free(dir);
	return LP_EXIT_OK;
}

#define NOT_GIVEN UINT_MAX

static int cache_prune(int argc, char **argv)
{
	bool json = false, dry_run = false, *remove = NULL;
	unsigned keep = NOT_GIVEN;
	int nargs = 0, ret;
	const struct cli_opt opts[] = {
		{ "--keep", .num = &keep, .min = 0, .max = 100000 },
		{ "--dry-run", .flag = &dry_run },
		{ "--json", .flag = &json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "cache prune", usage, opts, .arg = "release", .max_args = -1 };
	struct cache_inventory inv;
	long long freed = 0;
	size_t busy = 0;
	bool keep_given;
	char *dir, *s;

	ret = cli_parse(&cmd, argc, argv, &nargs);
	if (ret != CLI_GO_ON)
		return ret;
	keep_given = keep != NOT_GIVEN;
	if (keep_given == (nargs > 0))
		return cli_usage_error("cache prune", "give either --keep N or the RELEASEs to remove");
	dir = lp_cache_dir();
	if (cache_scan(dir, &inv)) {
		free(dir);
		return LP_EXIT_FAIL;
	}
	remove = xcalloc(inv.n + 1, sizeof(*remove));
	for (size_t i = keep; keep_given && i < inv.n; i++)
		remove[i] = true;
	for (int a = 1; a <= nargs; a++) {
		const char *rel = argv[a];
		size_t i;

		if (str_starts(rel, "debian:"))
			rel += strlen("debian:");
		for (i = 0; i < inv.n && strcmp(inv.r[i].release, rel); i++)
			;
		if (i == inv.n) {
			ret = cli_usage_error("cache prune", "no release %s in the cache %s", argv[a], dir);
			goto out;
		}
		remove[i] = true;
	}
	ret = cache_remove(&inv, remove, dry_run, &freed, &busy) ? LP_EXIT_FAIL : LP_EXIT_OK;
	if (busy)
		ret = LP_EXIT_FAIL;
	if (json) {
		struct strbuf sb = {0};
		struct json j;

		json_init(&j, &sb, JSON_PRETTY);
		json_obj_begin(&j);
		json_kbool(&j, "dry_run", dry_run);
		json_karr_begin(&j, "removed");
		for (size_t i = 0; i < inv.n; i++)
			if (remove[i] && !inv.r[i].busy)
				json_str(&j, inv.r[i].release);
		json_arr_end(&j);
		json_karr_begin(&j, "kept");
		for (size_t i = 0; i < inv.n; i++)
			if (!remove[i] || inv.r[i].busy)
				json_str(&j, inv.r[i].release);
		json_arr_end(&j);
		json_kint(&j, "freed_bytes", freed);
		json_obj_end(&j);
		json_print(&j);
	} else {
		for (size_t i = 0; i < inv.n; i++)
			if (remove[i] && !inv.r[i].busy)
				printf("%s %s (%s)\n", dry_run ? "would remove" : "removed",
				       inv.r[i].release, inv.r[i].version ? inv.r[i].version : "-");
		printf("%s %s\n", dry_run ? "would free" : "freed", s = human(freed));
		free(s);
	}
out:
	free(remove);
	cache_inventory_free(&inv);
	free(dir);
	return ret;
}

int cmd_cache(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("cache", "list or prune? e.g. `lpatch cache list`");
	if (cli_is_help(argv[1])) {
		usage();
		return LP_EXIT_OK;
	}
	if (!strcmp(argv[1], "list"))
		return cache_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "prune"))
		return cache_prune(argc - 1, argv + 1);
	return cli_usage_error("cache", "unknown subcommand '%s' (list, prune)", argv[1]);
}
