/* A livepatch's metadata as the host commands print it. */
#include "cli/print.h"

#include "host/patchinfo.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

void print_patch_info_json(struct json *j, const struct patch_info *pi)
{
	json_kstr(j, "name", pi->name);
	json_kstr(j, "file", pi->file);
	json_kstr(j, "vermagic", pi->vermagic);
	json_kstr(j, "target", pi->target);
	json_kstr(j, "description", pi->description);
	json_kstr(j, "patch_sha256", pi->patch_sha256);
	json_key(j, "replace");
	if (pi->replace < 0)
		json_null(j);
	else
		json_bool(j, pi->replace);
	json_karr_begin(j, "cves");
	for (size_t i = 0; i < pi->ncves; i++)
		json_str(j, pi->cves[i]);
	json_arr_end(j);
	/* functions grouped by object (they are sorted by object):
	 * [{"name":"vmlinux","functions":[{"name":...,"sympos":...}]}] */
	json_karr_begin(j, "objects");
	for (size_t i = 0; i < pi->nfuncs; i++) {
		const struct patch_func *f = &pi->funcs[i];

		if (!i || strcmp(pi->funcs[i - 1].object, f->object)) {
			if (i) {
				json_arr_end(j);
				json_obj_end(j);
			}
			json_obj_begin(j);
			json_kstr(j, "name", f->object);
			json_karr_begin(j, "functions");
		}
		json_obj_begin(j);
		json_kstr(j, "name", f->name);
		json_kint(j, "sympos", f->sympos);
		json_obj_end(j);
	}
	if (pi->nfuncs) {
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void print_loaded(const struct patch_info *pi)
{
	printf("loaded %s: %zu function%s patched", pi->name, pi->nfuncs, pi->nfuncs == 1 ? "" : "s");
	for (size_t i = 0; i < pi->ncves; i++)
		printf("%s%s", i ? ", " : "; fixes ", pi->cves[i]);
	printf("\n");
}
