/* lpatch status --prometheus: node_exporter's textfile-collector format (docs/fleet.md). */
#include "cli/prometheus.h"

#include "host/quarantine.h"
#include "host/status.h"
#include "host/taint.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *prom_default_file(void)
{
	const char *e = getenv("LPATCH_PROMETHEUS_FILE");

	return xstrdup(e && *e ? e : PROM_DEFAULT_FILE);
}

/* A label value: \, " and newline escaped. */
static void label(struct strbuf *sb, const char *key, const char *v, bool first)
{
	sb_addf(sb, "%s%s=\"", first ? "" : ",", key);
	for (const char *c = v ? v : ""; *c; c++) {
		if (*c == '\\' || *c == '"')
			sb_addf(sb, "\\%c", *c);
		else if (*c == '\n')
			sb_add(sb, "\\n");
		else
			sb_addn(sb, c, 1);
	}
	sb_add(sb, "\"");
}

static void family(struct strbuf *sb, const char *name, const char *help)
{
	sb_addf(sb, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* One sample per patch of the family name: value(p). */
static void per_patch(struct strbuf *sb, const struct host_status *st, const char *name, const char *help,
		      int (*value)(const struct host_patch *))
{
	if (!st->inv.n)
		return;
	family(sb, name, help);
	for (size_t i = 0; i < st->inv.n; i++) {
		sb_addf(sb, "%s{", name);
		label(sb, "patch", st->inv.patches[i].info.name, true);
		sb_addf(sb, "} %d\n", value(&st->inv.patches[i]));
	}
}

static int v_loaded(const struct host_patch *p) { return p->live.module; }
static int v_enabled(const struct host_patch *p) { return p->live.registered && p->live.enabled; }
static int v_transition(const struct host_patch *p) { return p->live.registered && p->live.transition; }
static int v_in_force(const struct host_patch *p) { return host_patch_in_force(p); }
static int v_installed(const struct host_patch *p) { return p->installed != NULL; }
static int v_quarantined(const struct host_patch *p) { return p->quarantined != NULL; }

char *prom_text(const struct host_status *st, long long now)
{
	struct strbuf sb = {0};

	family(&sb, "lpatch_kernel_info", "The running kernel: uname -r and -v.");
	sb_add(&sb, "lpatch_kernel_info{");
	label(&sb, "release", st->release, true);
	label(&sb, "version", st->version, false);
	sb_add(&sb, "} 1\n");
	family(&sb, "lpatch_kernel_livepatch_supported", "1 when the kernel has the livepatch core.");
	sb_addf(&sb, "lpatch_kernel_livepatch_supported %d\n", st->livepatch);
	family(&sb, "lpatch_disabled", "1 when lpatch.disable=1 is on the kernel command line.");
	sb_addf(&sb, "lpatch_disabled %d\n", st->lpatch_disable);
	family(&sb, "lpatch_kernel_taint", "/proc/sys/kernel/tainted.");
	sb_addf(&sb, "lpatch_kernel_taint %lu\n", st->taint);
	family(&sb, "lpatch_kernel_taint_flag", "The taint flags set (K: a livepatch was loaded).");
	for (const struct taint_flag *f = taint_flags(); f->name; f++)
		if (st->taint & (1ul << f->bit)) {
			char letter[2] = { f->letter, 0 };

			sb_add(&sb, "lpatch_kernel_taint_flag{");
			label(&sb, "letter", letter, true);
			label(&sb, "name", f->name, false);
			sb_add(&sb, "} 1\n");
		}
	if (st->inv.n) {
		family(&sb, "lpatch_patch_info", "Each patch loaded or installed, with its state and metadata.");
		for (size_t i = 0; i < st->inv.n; i++) {
			const struct host_patch *p = &st->inv.patches[i];

			sb_add(&sb, "lpatch_patch_info{");
			label(&sb, "patch", p->info.name, true);
			label(&sb, "state", p->quarantined && !p->live.module ? "quarantined" : host_patch_state(p),
			      false);
			label(&sb, "target", p->info.target, false);
			label(&sb, "patch_sha256", p->info.patch_sha256, false);
			label(&sb, "description", p->info.description, false);
			sb_add(&sb, "} 1\n");
		}
	}
	per_patch(&sb, st, "lpatch_patch_loaded", "1 when the patch's module is loaded.", v_loaded);
	per_patch(&sb, st, "lpatch_patch_enabled", "/sys/kernel/livepatch/PATCH/enabled.", v_enabled);
	per_patch(&sb, st, "lpatch_patch_transition", "/sys/kernel/livepatch/PATCH/transition: 1 while tasks "
		  "switch.", v_transition);
	per_patch(&sb, st, "lpatch_patch_in_force", "1 when enabled with its transition finished.", v_in_force);
	per_patch(&sb, st, "lpatch_patch_installed", "1 when the patch is in the store, loaded at boot.",
		  v_installed);
	per_patch(&sb, st, "lpatch_patch_quarantined", "1 when the patch crashed the machine and is not loaded "
		  "at boot.", v_quarantined);
	{
		bool any = false;

		for (size_t i = 0; i < st->inv.n; i++)
			for (size_t k = 0; k < st->inv.patches[i].info.ncves; k++) {
				if (!any)
					family(&sb, "lpatch_patch_cve", "The CVEs each patch records.");
				any = true;
				sb_add(&sb, "lpatch_patch_cve{");
				label(&sb, "patch", st->inv.patches[i].info.name, true);
				label(&sb, "cve", st->inv.patches[i].info.cves[k], false);
				sb_add(&sb, "} 1\n");
			}
	}
	if (st->fixed.ncves) {
		family(&sb, "lpatch_cve_fixed", "The CVEs fixed now, by the patches in force.");
		for (size_t i = 0; i < st->fixed.ncves; i++) {
			sb_add(&sb, "lpatch_cve_fixed{");
			label(&sb, "cve", st->fixed.cves[i], true);
			sb_add(&sb, "} 1\n");
		}
	}
	family(&sb, "lpatch_cves_fixed", "How many CVEs the patches in force fix.");
	sb_addf(&sb, "lpatch_cves_fixed %zu\n", st->fixed.ncves);
	if (st->update_ok >= 0) {
		family(&sb, "lpatch_update_check_timestamp_seconds", "When lpatch-update last looked for patches.");
		sb_addf(&sb, "lpatch_update_check_timestamp_seconds %lld\n", st->update_time);
		family(&sb, "lpatch_update_check_success", "1 when that check succeeded (signature, server, "
		       "install), 0 when it failed.");
		sb_addf(&sb, "lpatch_update_check_success %d\n", st->update_ok);
	}
	family(&sb, "lpatch_status_timestamp_seconds", "When lpatch wrote this file.");
	sb_addf(&sb, "lpatch_status_timestamp_seconds %lld\n", now);
	return sb_take(&sb);
}

int prom_write(const char *root, const char *file)
{
	struct host_status st;
	char *text;
	int ret = -1;

	quarantine_settle(root, false);
	host_status_read(&st, root);
	text = prom_text(&st, (long long)time(NULL));
	host_status_free(&st);
	if (!strcmp(file, "-")) {
		fputs(text, stdout);
		ret = fflush(stdout) ? -1 : 0;
	} else {
		ret = write_file_atomic(file, text, strlen(text));
	}
	free(text);
	return ret;
}

void prom_refresh(const char *root)
{
	char *file = prom_default_file(), *dir = path_dirname(file);

	/* only where node_exporter's textfile directory is (or the file was asked for) */
	if (path_is_dir(dir) && prom_write(root, file))
		lp_warn("the Prometheus textfile %s is not refreshed", file);
	free(dir);
	free(file);
}
