/* Showing one livepatch's metadata: target, replace, CVEs, description, diff hash, functions. */
#include "host/info.h"

#include "host/inventory.h"
#include "host/modinfo.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	sb_add(&sb, "{\"state\":");
	if (state)
		sb_addf(&sb, "\"%s\"", state);
	else
		sb_add(&sb, "null");
	sb_addf(&sb, ",\"livepatch\":%s,", pi->livepatch ? "true" : "false");
	patch_info_json(&sb, pi);
	sb_add(&sb, "}\n");
	fputs(sb.buf, stdout);
	sb_free(&sb);
}

int host_info(const char *what, const char *root, bool json)
{
	struct patch_info pi;
	struct inventory inv;
	char *name;
	int ret = LP_EXIT_REFUSED;

	if (path_exists(what) || str_ends(what, ".ko")) {
		if (ko_info_read(what, &pi))
			return LP_EXIT_REFUSED;
		(json ? print_json : print_text)(&pi, NULL);
		patch_info_free(&pi);
		return LP_EXIT_OK;
	}
	name = patch_module_name(what);
	inventory_read(&inv, root);
	for (size_t i = 0; i < inv.n; i++)
		if (!strcmp(inv.patches[i].info.name, name)) {
			(json ? print_json : print_text)(&inv.patches[i].info,
							 host_patch_state(&inv.patches[i]));
			ret = LP_EXIT_OK;
		}
	if (ret) {
		lp_err("no file %s, and no patch %s loaded or installed for %s", what, name, inv.release);
		lp_hint("`lpatch list` shows the patches of this host");
	}
	inventory_free(&inv);
	free(name);
	return ret;
}
