/* lpatch info: what a livepatch module is for and what it changes. */
#include "cli/host_args.h"

#include "cli/print.h"
#include "host/info.h"
#include "util/json.h"

#include <stdio.h>

void info_help(void)
{
	printf("usage: lpatch info [--json] [--root DIR] FILE.ko|NAME\n\n"
	       "Show a livepatch module's metadata: module name, vermagic, the release it was\n"
	       "built for (lpatch_target), whether it replaces earlier patches or stacks, the\n"
	       "CVEs it fixes, its description, the sha256 of the source diff it was built\n"
	       "from, and the objects and functions it patches. NAME (not a file) is a loaded\n"
	       "patch (read from /sys/module/NAME/parameters/lpatch_* and\n"
	       "/sys/kernel/livepatch/NAME) or one installed for the running kernel.\n\n"
	       "options:\n"
	       "  --json       one JSON object: {state, livepatch, name, file, vermagic, target,\n"
	       "               description, patch_sha256, replace, cves[], objects[{name,\n"
	       "               functions[{name, sympos}]}]} (null where not recorded)\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, 2 not a kernel module, no such patch, or bad usage.\n");
}

static void print_text(const struct patch_info *pi, const char *state)
{
	const char *na = "(not recorded)";

	printf("name:         %s\n", pi->name);
	if (pi->file)
		printf("file:         %s\n", pi->file);
	if (state)
		printf("state:        %s\n", state);
	printf("vermagic:     %s\n", pi->vermagic ? pi->vermagic : na);
	printf("target:       %s\n", pi->target ? pi->target : na);
	printf("livepatch:    %s\n", pi->livepatch ? "yes" : "NO (livepatch=Y missing)");
	printf("replace:      %s\n", pi->replace < 0 ? "unknown" :
	       pi->replace ? "yes (atomic replace of earlier patches)" : "no (stacks on earlier patches)");
	printf("cves:         ");
	for (size_t i = 0; i < pi->ncves; i++)
		printf("%s%s", i ? " " : "", pi->cves[i]);
	printf("%s\n", pi->ncves ? "" : "(none recorded)");
	printf("description:  %s\n", pi->description ? pi->description : na);
	printf("patch sha256: %s\n", pi->patch_sha256 ? pi->patch_sha256 : na);
	printf("functions:    %zu\n", pi->nfuncs);
	for (size_t i = 0; i < pi->nfuncs; i++) {
		if (pi->funcs[i].sympos > 1)
			printf("  %s: %s,%ld\n", pi->funcs[i].object, pi->funcs[i].name, pi->funcs[i].sympos);
		else
			printf("  %s: %s\n", pi->funcs[i].object, pi->funcs[i].name);
	}
}

static void print_json(const struct patch_info *pi, const char *state)
{
	struct strbuf sb = {0};
	struct json j;

	json_init(&j, &sb, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "state", state);
	json_kbool(&j, "livepatch", pi->livepatch);
	print_patch_info_json(&j, pi);
	json_obj_end(&j);
	json_print(&j);
}

static int show(const char *what, const char *root, bool json)
{
	struct patch_info pi;
	const char *state;
	int ret = host_info(what, root, &pi, &state);

	if (!ret)
		(json ? print_json : print_text)(&pi, state);
	patch_info_free(&pi);
	return ret;
}

int info_run(const struct host_args *a)
{
	return show(a->operand, a->o.root, a->json);
}
