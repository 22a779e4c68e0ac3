/*
 * host/ without a live kernel: the metadata of a module the test compiles
 * (.modinfo strings in a relocatable object, as modpost writes them), the
 * store under a temporary --root (install, list, status, info, uninstall,
 * load --all), and the JSON the CLI prints from what host/ returns.
 */
#include "unit.h"
#include "fixture.h"

#include "cli/print.h"
#include "host/info.h"
#include "host/modinfo.h"
#include "host/ops.h"
#include "host/status.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "util/json.h"
#include "util/log.h"

#include <stdio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#define MOD_NAME "livepatch_unit_fixture"

/* A module whose .modinfo says what a livepatch for release says; replace: "Y",
 * "N" or NULL (no lpatch_replace). name: its module name. Returns its .ko path. */
static char *fixture_ko(const char *name, const char *release, const char *replace)
{
	char *src = xasprintf(
		"#define MI(s) static const char __attribute__((section(\".modinfo\"), used, aligned(1))) mi_##s[]\n"
		"MI(a) = \"name=%s\";\n"
		"MI(b) = \"vermagic=%s SMP preempt mod_unload \";\n"
		"MI(c) = \"livepatch=Y\";\n"
		"MI(d) = \"lpatch_target=%s\";\n"
		"MI(e) = \"lpatch_cve=CVE-2099-0002\";\n"
		"MI(f) = \"lpatch_cve=CVE-2099-0001\";\n"
		"MI(g) = \"description=unit \\\"fixture\\\"\";\n"
		"MI(h) = \"lpatch_replace=%s\";\n"
		"int unused_code(void) { return 0; }\n",
		name, release, release, replace ? replace : "");
	char *o, *ko;

	if (!replace)	/* no lpatch_replace entry at all */
		*strstr(src, "MI(h)") = '\0';
	o = fixture_cc(name, src, NULL);
	free(src);
	if (!o)
		return NULL;
	ko = xasprintf("%s/%s.ko", fixture_tmp(), name);
	if (rename(o, ko)) {
		free(ko);
		ko = NULL;
	}
	free(o);
	return ko;
}

static char *fresh_root(const char *what)
{
	char *root = xasprintf("%s/%s", fixture_tmp(), what);

	rm_rf(root);
	return root;
}

static void ko_read(void)
{
	char *ko = fixture_ko("livepatch-read", "1.2.3-unit", "Y");
	struct patch_info pi;

	CHECK(ko);
	if (!ko)
		return;
	CHECK(ko_info_read(ko, &pi) == 0);
	CHECK_STR(pi.name, "livepatch-read");
	CHECK_STR(pi.file, ko);
	CHECK_STR(pi.vermagic, "1.2.3-unit SMP preempt mod_unload ");
	CHECK_STR(pi.target, "1.2.3-unit");
	CHECK_STR(pi.description, "unit \"fixture\"");
	CHECK(pi.patch_sha256 == NULL);
	CHECK(pi.livepatch);
	CHECK(pi.replace == 1);
	CHECK(pi.ncves == 2);
	if (pi.ncves == 2) {	/* sorted */
		CHECK_STR(pi.cves[0], "CVE-2099-0001");
		CHECK_STR(pi.cves[1], "CVE-2099-0002");
	}
	CHECK(pi.nfuncs == 0);	/* no klp structures: not built by lpatch */
	patch_info_free(&pi);
	free(ko);
}

/* An object without .modinfo is no module: info refuses it. */
/* depends= (modpost's list of the modules whose exports it uses): what
 * `lpatch load` modprobes first */
static void ko_depends(void)
{
	char *o = fixture_cc("livepatch-deps",
		"#define MI(s) static const char __attribute__((section(\".modinfo\"), used, aligned(1))) mi_##s[]\n"
		"MI(a) = \"name=livepatch_deps\";\n"
		"MI(b) = \"depends=hid,snd-pcm,hid\";\n"
		"MI(c) = \"livepatch=Y\";\n", NULL);
	struct patch_info pi;

	CHECK(o);
	if (!o)
		return;
	CHECK(ko_info_read(o, &pi) == 0);
	CHECK(pi.ndepends == 2);
	if (pi.ndepends == 2) {	/* as written, once each */
		CHECK_STR(pi.depends[0], "hid");
		CHECK_STR(pi.depends[1], "snd-pcm");
	}
	patch_info_free(&pi);
	CHECK(pi.ndepends == 0 && !pi.depends);
	patch_info_add_depends(&pi, "");	/* modpost writes "depends=" for none */
	CHECK(pi.ndepends == 0);
	patch_info_add_depends(&pi, "a,,b,");
	CHECK(pi.ndepends == 2);
	patch_info_free(&pi);
	free(o);
}

static void not_a_module(void)
{
	char *o = fixture_cc("plain", "int plain(void) { return 1; }\n", NULL);
	struct patch_info pi;
	const char *state = "x";

	CHECK(o);
	if (!o)
		return;
	CHECK(ko_info_read(o, &pi) == -2);
	patch_info_free(&pi);
	CHECK(host_info(o, NULL, &pi, &state) == LP_EXIT_REFUSED);
	CHECK(state == NULL);
	patch_info_free(&pi);
	free(o);
}

/* install -> the store holds it -> list, status, info see it -> uninstall. */
static void store_round_trip(void)
{
	char *rel = host_release(), *root = fresh_root("store");
	char *ko = fixture_ko(MOD_NAME, rel, "N");
	struct host_opts o = { .root = root };
	struct host_store_change done;
	struct host_status st;
	struct patch_info pi;
	const char *state = NULL;
	char *want = xasprintf("%s/%s/%s.ko", root, rel, MOD_NAME);

	CHECK(ko);
	if (!ko)
		goto out;
	CHECK(host_install(ko, &o, &done) == LP_EXIT_OK);
	CHECK_STR(done.name, MOD_NAME);
	CHECK_STR(done.release, rel);
	CHECK_STR(done.path, want);
	CHECK(path_exists(want));
	host_store_change_free(&done);

	host_status_read(&st, root);
	CHECK_STR(st.release, rel);
	CHECK_STR(st.inv.root, root);
	CHECK(st.inv.n >= 1);
	for (size_t i = 0; i < st.inv.n; i++) {
		const struct host_patch *p = &st.inv.patches[i];

		if (strcmp(p->info.name, MOD_NAME))
			continue;
		CHECK_STR(p->installed, want);
		CHECK_STR(host_patch_state(p), "installed");
		CHECK(!host_patch_in_force(p));
		CHECK(p->info.replace == 0);
		CHECK(p->info.ncves == 2);
	}
	/* CVEs count as fixed only for patches in force */
	for (size_t i = 0; i < st.fixed.ncves; i++)
		CHECK(strcmp(st.fixed.cves[i], "CVE-2099-0001"));
	host_status_free(&st);

	/* by name, either spelling */
	CHECK(host_info("livepatch-unit-fixture", root, &pi, &state) == LP_EXIT_OK);
	CHECK_STR(state, "installed");
	CHECK_STR(pi.name, MOD_NAME);
	CHECK_STR(pi.file, want);
	CHECK_STR(pi.description, "unit \"fixture\"");
	patch_info_free(&pi);

	CHECK(host_uninstall("livepatch-unit-fixture", &o, &done) == LP_EXIT_OK);
	CHECK_STR(done.name, MOD_NAME);
	CHECK_STR(done.path, want);
	CHECK(!done.still_loaded);
	CHECK(!path_exists(want));
	host_store_change_free(&done);
	CHECK(host_uninstall(MOD_NAME, &o, &done) == LP_EXIT_REFUSED);
	CHECK(done.name == NULL);
	host_store_change_free(&done);
	CHECK(host_info(MOD_NAME, root, &pi, &state) == LP_EXIT_REFUSED);
	patch_info_free(&pi);
out:
	free(want);
	free(ko);
	free(root);
	free(rel);
}

/* A module for another release is refused, and nothing is written. */
static void install_other_release(void)
{
	char *root = fresh_root("other"), *ko = fixture_ko("livepatch_other", "9.9.9-elsewhere", "Y");
	struct host_opts o = { .root = root };
	struct host_store_change done;
	char *dir;

	CHECK(ko);
	if (!ko)
		goto out;
	CHECK(host_install(ko, &o, &done) == LP_EXIT_REFUSED);
	CHECK(done.path == NULL);
	host_store_change_free(&done);
	dir = xasprintf("%s/%s", root, "9.9.9-elsewhere");
	CHECK(!path_exists(dir));
	/* --release names the one it was built for: installed there */
	o.release = "9.9.9-elsewhere";
	CHECK(host_install(ko, &o, &done) == LP_EXIT_OK);
	CHECK(done.path && str_starts(done.path, dir));
	CHECK_STR(done.release, "9.9.9-elsewhere");
	host_store_change_free(&done);
	free(dir);
out:
	free(ko);
	free(root);
}

static void count_event(const struct host_load_event *ev, void *ctx)
{
	struct strbuf *log = ctx;

	sb_addf(log, "%d %s %s|", (int)ev->what, ev->pi ? ev->pi->name : "-",
		ev->replaced_by ? path_basename(ev->replaced_by) : "-");
}

/* load --all: an empty store loads nothing; a patch installed before the newest
 * replacing one is skipped (loading the rest is only tried on a kernel without
 * livepatch support, where it fails before the kernel is asked). */
static void load_all(void)
{
	char *rel = host_release(), *root = fresh_root("loadall");
	struct host_opts o = { .root = root, .timeout_s = 1 };
	struct host_load_all sum;
	struct strbuf log = {0};
	char *old = NULL, *newer = NULL;
	struct host_store_change done;
	int r;

	r = host_load_all(&o, count_event, &log, &sum);
	CHECK(r == LP_EXIT_OK || sum.disabled);
	CHECK(sum.installed == 0 && sum.loaded == 0 && sum.failed == 0);
	CHECK_STR(sum.release, rel);
	CHECK(sum.dir && str_starts(sum.dir, root));
	CHECK(log.len == 0);
	host_load_all_free(&sum);
	if (klp_supported() || host_disabled_by_cmdline()) {
		printf("note: load_all: this kernel has livepatch support; not loading fixtures\n");
		goto out;
	}
	old = fixture_ko("livepatch_unit_old", rel, "N");
	newer = fixture_ko("livepatch_unit_new", rel, "Y");
	CHECK(old && newer);
	if (!old || !newer)
		goto out;
	CHECK(host_install(old, &o, &done) == LP_EXIT_OK);
	host_store_change_free(&done);
	CHECK(host_install(newer, &o, &done) == LP_EXIT_OK);
	{	/* installed later, whatever the clock's resolution */
		struct timespec ts[2] = { { .tv_sec = time(NULL) + 5 }, { .tv_sec = time(NULL) + 5 } };
		CHECK(utimensat(AT_FDCWD, done.path, ts, 0) == 0);
	}
	host_store_change_free(&done);
	r = host_load_all(&o, count_event, &log, &sum);
	CHECK(r == LP_EXIT_FAIL);
	CHECK(sum.installed == 2 && sum.tried == 1 && sum.loaded == 0 && sum.failed == 1);
	CHECK_STR(log.buf, "2 livepatch_unit_old livepatch_unit_new.ko|3 livepatch_unit_new -|");
	host_load_all_free(&sum);
out:
	sb_free(&log);
	free(old);
	free(newer);
	free(root);
	free(rel);
}

static void unload_missing(void)
{
	struct host_opts o = { .timeout_s = 1 };
	char *name = (char *)"x";

	CHECK(host_unload("livepatch-not-loaded-anywhere", &o, &name) == LP_EXIT_REFUSED);
	CHECK(name == NULL);
}

/* What info and status print for a patch: functions grouped by object. */
static void patch_json(void)
{
	struct patch_info pi = { .replace = -1 };
	struct strbuf sb = {0};
	struct json j;

	pi.name = xstrdup("lp");
	patch_info_add_cve(&pi, "CVE-1");
	patch_info_add_func(&pi, "vmlinux", "b", 0);
	patch_info_add_func(&pi, "ext4", "x", 2);
	patch_info_add_func(&pi, "vmlinux", "a", 1);
	patch_info_sort(&pi);
	json_init(&j, &sb, JSON_COMPACT);
	json_obj_begin(&j);
	print_patch_info_json(&j, &pi);
	json_obj_end(&j);
	CHECK_STR(sb.buf, "{\"name\":\"lp\",\"file\":null,\"vermagic\":null,\"target\":null,"
		  "\"description\":null,\"patch_sha256\":null,\"replace\":null,\"cves\":[\"CVE-1\"],"
		  "\"objects\":[{\"name\":\"ext4\",\"functions\":[{\"name\":\"x\",\"sympos\":2}]},"
		  "{\"name\":\"vmlinux\",\"functions\":[{\"name\":\"a\",\"sympos\":1},"
		  "{\"name\":\"b\",\"sympos\":1}]}]}");
	sb_free(&sb);
	patch_info_free(&pi);
	json_init(&j, &sb, JSON_COMPACT);
	json_obj_begin(&j);
	print_patch_info_json(&j, &pi);
	json_obj_end(&j);
	CHECK(strstr(sb.buf, "\"replace\":null,\"cves\":[],\"objects\":[]}") != NULL);
	sb_free(&sb);
}

int main(void)
{
	lp_quiet = true;
	RUN(ko_read);
	RUN(ko_depends);
	RUN(not_a_module);
	RUN(store_round_trip);
	RUN(install_other_release);
	RUN(load_all);
	RUN(unload_missing);
	RUN(patch_json);
	fixture_cleanup();
	return unit_done();
}
