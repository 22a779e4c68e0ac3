/* lpatch status: the livepatch state of this host, for people and for scanners. */
#include "cli/host_args.h"

#include "cli/print.h"
#include "cli/prometheus.h"
#include "host/status.h"
#include "host/taint.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>

#define STATUS_FORMAT "lpatch-status/1"

void status_help(void)
{
	printf("usage: lpatch status [--json | --prometheus [--prometheus-file FILE]] [--root DIR]\n\n"
	       "Show the running kernel's release, each livepatch's state (loaded and\n"
	       "installed ones), whether a transition runs, the CVEs each patch fixes, the\n"
	       "CVEs fixed now (by enabled patches whose transition finished), and the\n"
	       "kernel's taint flags decoded (K: a livepatch was loaded).\n\n"
	       "options:\n"
	       "  --json       one JSON object, format \"lpatch-status/1\" (docs/host.md):\n"
	       "               {format, kernel{release, version, livepatch, lpatch_disable},\n"
	       "                taint{value, flags[{bit, letter, name}], letters, livepatch},\n"
	       "                store, patches[{name, state, loaded, enabled, transition,\n"
	       "                installed, quarantined, file, vermagic, target, description,\n"
	       "                patch_sha256,\n"
	       "                replace, cves[], objects[{name, functions[{name, sympos}]}]}],\n"
	       "                cves_fixed[]}\n"
	       "  --prometheus write node_exporter's textfile format, atomically, to\n"
	       "               $LPATCH_PROMETHEUS_FILE, else\n"
	       "               " PROM_DEFAULT_FILE "\n"
	       "               (lpatch_patch_enabled, _transition, _quarantined, lpatch_cve_fixed,\n"
	       "               lpatch_kernel_taint, lpatch_update_check_success, ...: docs/fleet.md)\n"
	       "  --prometheus-file FILE  that file instead (- for stdout)\n"
	       "  --root DIR   the store (default $LPATCH_ROOT, else /var/lib/lpatch)\n\n"
	       "Exit: 0, or 2 on bad usage.\n");
}

static void taint_json(struct json *j, unsigned long v)
{
	char letters[64];
	size_t nl = 0;

	json_kobj_begin(j, "taint");
	json_kuint(j, "value", v);
	json_karr_begin(j, "flags");
	for (const struct taint_flag *f = taint_flags(); f->name; f++)
		if (v & (1ul << f->bit)) {
			json_obj_begin(j);
			json_kuint(j, "bit", f->bit);
			json_key(j, "letter");
			json_strf(j, "%c", f->letter);
			json_kstr(j, "name", f->name);
			json_obj_end(j);
			letters[nl++] = f->letter;
		}
	letters[nl] = '\0';
	json_arr_end(j);
	json_kstr(j, "letters", letters);
	json_kbool(j, "livepatch", v & (1ul << TAINT_LIVEPATCH));
	json_obj_end(j);
}

static void print_json(const struct host_status *st)
{
	struct strbuf sb = {0};
	struct json j;

	json_init(&j, &sb, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "format", STATUS_FORMAT);
	json_kobj_begin(&j, "kernel");
	json_kstr(&j, "release", st->release);
	json_kstr(&j, "version", st->version);
	json_kbool(&j, "livepatch", st->livepatch);
	json_kbool(&j, "lpatch_disable", st->lpatch_disable);
	json_obj_end(&j);
	taint_json(&j, st->taint);
	json_kstr(&j, "store", st->inv.root);
	json_karr_begin(&j, "patches");
	for (size_t i = 0; i < st->inv.n; i++) {
		const struct host_patch *p = &st->inv.patches[i];

		json_obj_begin(&j);
		json_kstr(&j, "state", host_patch_state(p));
		json_kbool(&j, "loaded", p->live.module);
		json_kbool(&j, "enabled", p->live.enabled);
		json_kbool(&j, "transition", p->live.transition);
		json_kbool(&j, "installed", p->installed);
		json_kbool(&j, "quarantined", p->quarantined);
		print_patch_info_json(&j, &p->info);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_karr_begin(&j, "cves_fixed");
	for (size_t i = 0; i < st->fixed.ncves; i++)
		json_str(&j, st->fixed.cves[i]);
	json_arr_end(&j);
	json_obj_end(&j);
	json_print(&j);
}

static void print_text(const struct host_status *st)
{
	const struct inventory *inv = &st->inv;

	printf("kernel:  %s (livepatch %s%s)\n", inv->release,
	       st->livepatch ? "supported" : "not supported",
	       st->lpatch_disable ? "; lpatch.disable=1 on the command line" : "");
	printf("taint:   %lu", st->taint);
	for (const struct taint_flag *f = taint_flags(); f->name; f++)
		if (st->taint & (1ul << f->bit))
			printf(" %c(%s)", f->letter, f->name);
	printf("\n");
	if (!inv->n)
		printf("patches: none loaded or installed\n");
	for (size_t i = 0; i < inv->n; i++) {
		const struct host_patch *p = &inv->patches[i];

		printf("patch:   %s: %s%s%s", p->info.name, host_patch_state(p),
		       p->installed && p->live.module ? ", installed" : "",
		       p->quarantined ? ", quarantined (not loaded at boot)" : "");
		if (p->info.replace >= 0)
			printf(", %s", p->info.replace ? "replaces" : "stacks");
		for (size_t k = 0; k < p->info.ncves; k++)
			printf("%s%s", k ? ", " : "; CVEs ", p->info.cves[k]);
		printf("\n");
	}
	printf("fixed:   ");
	for (size_t i = 0; i < st->fixed.ncves; i++)
		printf("%s%s", i ? " " : "", st->fixed.cves[i]);
	printf("%s\n", st->fixed.ncves ? "" : "(no CVE recorded by the enabled patches)");
}

static int show(const char *root, bool json)
{
	struct host_status st;

	host_status_read(&st, root);
	(json ? print_json : print_text)(&st);
	host_status_free(&st);
	return LP_EXIT_OK;
}

int status_run(const struct host_args *a)
{
	int r;

	/* a store that is not there is a mistyped path, not an empty store */
	if ((r = cli_check_dir("status", "--root", a->o.root)) != CLI_GO_ON)
		return r;
	if (a->json && (a->prometheus || a->prom_file))
		return cli_usage_error("status", "--json or --prometheus, not both");
	if (a->prometheus || a->prom_file) {
		char *file = a->prom_file ? xstrdup(a->prom_file) : prom_default_file();

		r = prom_write(a->o.root, file) ? LP_EXIT_FAIL : LP_EXIT_OK;
		free(file);
		return r;
	}
	return show(a->o.root, a->json);
}
