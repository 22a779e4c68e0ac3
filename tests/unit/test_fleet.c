/*
 * fleet/ without a kernel: `lpatch package` reads modules the test compiles
 * (.modinfo strings as modpost writes them), checks them, and writes a real
 * .deb with dpkg-deb, whose control data and maintainer scripts are read back
 * with dpkg-deb.
 */
#include "unit.h"
#include "fixture.h"

#include "cli/prometheus.h"
#include "fleet/package.h"
#include "host/ops.h"
#include "host/quarantine.h"
#include "host/status.h"
#include "host/store.h"
#include "util/log.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdio.h>

/* A livepatch module `name` for release with one CVE; returns its .ko path. */
static char *fixture_ko(const char *file, const char *name, const char *release, const char *cve)
{
	char *src = xasprintf(
		"#define MI(s) static const char __attribute__((section(\".modinfo\"), used, aligned(1))) mi_##s[]\n"
		"MI(a) = \"name=%s\";\n"
		"MI(b) = \"vermagic=%s SMP preempt mod_unload \";\n"
		"MI(c) = \"livepatch=Y\";\n"
		"MI(d) = \"lpatch_target=%s\";\n"
		"MI(e) = \"lpatch_cve=%s\";\n"
		"MI(g) = \"description=unit fixture\";\n"
		"MI(h) = \"lpatch_patch_sha256=0123456789abcdef\";\n"
		"int unused_code(void) { return 0; }\n",
		name, release, release, cve);
	char *o = fixture_cc(file, src, NULL), *ko = xasprintf("%s/%s.ko", fixture_tmp(), file);

	free(src);
	if (!o || rename(o, ko)) {
		free(ko);
		ko = NULL;
	}
	free(o);
	return ko;
}

static char *deb_field(const char *deb, const char *field)
{
	const char *argv[] = { "dpkg-deb", "-f", deb, field, NULL };
	int st;
	char *s = run_capture(argv, NULL, &st);

	if (s && strchr(s, '\n') && !strchr(s, '\n')[1])
		*strchr(s, '\n') = '\0';
	return s;
}

static void names_and_versions(void)
{
	CHECK(fleet_valid_package("livepatch-fix"));
	CHECK(fleet_valid_package("lp2.0+x"));
	CHECK(!fleet_valid_package("livepatch_fix"));
	CHECK(!fleet_valid_package("Fix"));
	CHECK(!fleet_valid_package("a"));
	CHECK(fleet_valid_version("1"));
	CHECK(fleet_valid_version("2:1.0-3"));
	CHECK(fleet_valid_version("1.0~rc1"));
	CHECK(!fleet_valid_version("v1"));
	CHECK(!fleet_valid_version(""));
	CHECK(!fleet_valid_version("1-"));
	CHECK(!fleet_valid_version(":1"));
}

/* Two releases of one fix make one package holding both modules. */
static void package_two_releases(void)
{
	char *a = fixture_ko("fix-b", "livepatch_fix_v2", "6.1.0-57-unit", "CVE-2099-0002");
	char *b = fixture_ko("fix-a", "livepatch_fix_v2", "6.1.0-56-unit", "CVE-2099-0001");
	char *mods[] = { a, b };
	char *out = xasprintf("%s/out", fixture_tmp()), *deb = NULL, *s;
	struct fleet_pkg_opts o = { mods, 2, .version = "2", .outdir = out };
	struct fleet_pkg p;
	const char *argv[] = { "dpkg-deb", "-c", NULL, NULL };
	int st;

	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK(fleet_pkg_read(&o, &p) == LP_OK);
	CHECK_STR(p.package, "livepatch-fix-v2");
	CHECK_STR(p.module, "livepatch_fix_v2");
	CHECK(p.nmods == 2);
	CHECK_STR(p.mods[0].release, "6.1.0-56-unit");	/* sorted by release */
	CHECK(fleet_pkg_write(&p, out, &deb) == LP_EXIT_OK);
	CHECK(deb && str_ends(deb, "/livepatch-fix-v2_2_amd64.deb"));
	if (deb) {
		CHECK_STR((s = deb_field(deb, "Depends")), "lpatch");
		free(s);
		CHECK_STR((s = deb_field(deb, "Version")), "2");
		free(s);
		s = deb_field(deb, "Description");
		CHECK(s && strstr(s, "kernel livepatch for CVE-2099-0001 CVE-2099-0002\n"));
		CHECK(s && strstr(s, "Releases: 6.1.0-56-unit 6.1.0-57-unit"));
		CHECK(s && strstr(s, "Patch-SHA256: 0123456789abcdef"));
		CHECK(s && strstr(s, "Module: livepatch_fix_v2"));
		free(s);
		argv[2] = deb;
		s = run_capture(argv, NULL, &st);
		CHECK(s && strstr(s, "./usr/lib/lpatch/packages/livepatch-fix-v2/6.1.0-56-unit/livepatch_fix_v2.ko"));
		CHECK(s && strstr(s, "./usr/lib/lpatch/packages/livepatch-fix-v2/6.1.0-57-unit/livepatch_fix_v2.ko"));
		CHECK(s && strstr(s, "./usr/share/doc/livepatch-fix-v2/copyright"));
		free(s);
		/* a notice with years: lintian warns of copyright-without-copyright-notice otherwise */
		char *x = xasprintf("%s/x", out), *f = xasprintf("%s/usr/share/doc/livepatch-fix-v2/copyright", x);
		const char *unpack[] = { "dpkg-deb", "-x", deb, x, NULL };

		CHECK(run(unpack, NULL) == 0);
		s = read_file(f, NULL);
		CHECK(s && strstr(s, "\nCopyright: 1991-2"));
		CHECK(s && strstr(s, " Linus Torvalds and the other authors of the Linux kernel\n"));
		free(s);
		free(f);
		free(x);
	}
	s = fleet_pkg_script(&p, "postinst");
	CHECK(s && strstr(s, "module=livepatch_fix_v2\n"));
	CHECK(s && strstr(s, "covers 6.1.0-56-unit, 6.1.0-57-unit)"));
	CHECK(s && !strchr(s, '@'));
	free(s);
	free(deb);
	fleet_pkg_free(&p);
	free(out);
	free(a);
	free(b);
}

/* One module name per package, one module per release. */
static void package_refusals(void)
{
	char *a = fixture_ko("r-a", "livepatch_one", "6.1.0-56-unit", "CVE-2099-0001");
	char *b = fixture_ko("r-b", "livepatch_two", "6.1.0-57-unit", "CVE-2099-0001");
	char *c = fixture_ko("r-c", "livepatch_one", "6.1.0-56-unit", "CVE-2099-0001");
	struct fleet_pkg p;

	CHECK(a && b && c);
	if (!a || !b || !c)
		return;
	CHECK(fleet_pkg_read(&(struct fleet_pkg_opts){ (char *[]){ a, b }, 2, .version = "1" }, &p) == LP_REFUSED);
	fleet_pkg_free(&p);
	CHECK(fleet_pkg_read(&(struct fleet_pkg_opts){ (char *[]){ a, c }, 2, .version = "1" }, &p) == LP_REFUSED);
	fleet_pkg_free(&p);
	CHECK(fleet_pkg_read(&(struct fleet_pkg_opts){ (char *[]){ a }, 1, .version = "x1" }, &p) == LP_REFUSED);
	fleet_pkg_free(&p);
	CHECK(fleet_pkg_read(&(struct fleet_pkg_opts){ (char *[]){ a }, 1, .version = "1", .package = "Bad_Name" },
			     &p) == LP_REFUSED);
	fleet_pkg_free(&p);
	free(a);
	free(b);
	free(c);
}

/* A withdrawal: no module, a description that says so, scripts that unload. */
static void package_withdraw(void)
{
	char *out = xasprintf("%s/wd", fixture_tmp()), *deb = NULL, *s;
	struct fleet_pkg_opts o = { NULL, 0, .version = "3", .package = "livepatch-fix", .withdraw = true,
				    .description = "it broke ext4" };
	struct fleet_pkg p;

	CHECK(fleet_pkg_read(&o, &p) == LP_OK);
	CHECK(fleet_pkg_write(&p, out, &deb) == LP_EXIT_OK);
	if (deb) {
		s = deb_field(deb, "Description");
		CHECK(s && strstr(s, "withdrawn kernel livepatch"));
		CHECK(s && strstr(s, "Why: it broke ext4"));
		/* says what it is (lintian: no empty-binary-package warning) */
		CHECK(s && strstr(s, "an empty package"));
		free(s);
	}
	s = fleet_pkg_script(&p, "postinst");
	CHECK(s && strstr(s, "module=\n"));
	free(s);
	free(deb);
	fleet_pkg_free(&p);
	free(out);
}

static char *record_path(const char *root, const char *name)
{
	return xasprintf("%s/loads/%s", root, name);
}

/* A load record left by another boot quarantines its patch; this boot's settle. */
static void quarantine_cycle(void)
{
	char *root = xasprintf("%s/qroot", fixture_tmp()), *rec = record_path(root, "livepatch_crash");
	char *why = NULL, **q;
	size_t n;

	CHECK(quarantine_note_load(root, "livepatch-crash") == 0);	/* either spelling */
	CHECK(path_exists(rec));
	q = quarantine_boot_check(root, &n);	/* the same boot: nothing */
	CHECK(n == 0);
	CHECK(path_exists(rec));
	/* the machine went down: the record names a boot that is not this one */
	write_file(rec, "00000000-dead-beef-0000-000000000000 1700000000\n", 49);
	q = quarantine_boot_check(root, &n);
	CHECK(n == 1 && q && !strcmp(q[0], "livepatch_crash"));
	for (size_t i = 0; i < n; i++)
		free(q[i]);
	free(q);
	CHECK(!path_exists(rec));
	CHECK(quarantine_is(root, "livepatch_crash", &why));
	CHECK(why && strstr(why, "without a clean shutdown"));
	free(why);
	q = quarantine_list(root, &n);
	CHECK(n == 1);
	for (size_t i = 0; i < n; i++)
		free(q[i]);
	free(q);
	CHECK(quarantine_lift(root, "livepatch_crash") == LP_EXIT_OK);
	CHECK(!quarantine_is(root, "livepatch_crash", NULL));
	CHECK(quarantine_lift(root, "livepatch_crash") == LP_EXIT_REFUSED);
	/* this boot: settled after the window, or all at a clean shutdown */
	CHECK(quarantine_note_load(root, "livepatch_new") == 0);
	CHECK(quarantine_settle(root, false) == 0);
	CHECK(quarantine_settle(root, true) == 1);
	free(rec);
	rec = record_path(root, "livepatch_new");
	CHECK(!path_exists(rec));
	free(rec);
	free(root);
}

/* Uninstalled from its last release, a quarantined patch is no longer quarantined. */
static void quarantine_uninstalled(void)
{
	char *root = xasprintf("%s/uroot", fixture_tmp()), *rec = record_path(root, "livepatch_gone");
	char *a = xasprintf("%s/6.1.0-56-unit", root), *b = xasprintf("%s/6.1.0-57-unit", root);
	char *ka = xasprintf("%s/livepatch_gone.ko", a), *kb = xasprintf("%s/livepatch_gone.ko", b);
	struct host_store_change done;
	char **q;
	size_t n;

	CHECK(mkdir_p(a) == 0 && mkdir_p(b) == 0);
	CHECK(write_file(ka, "x", 1) == 0 && write_file(kb, "x", 1) == 0);
	CHECK(quarantine_note_load(root, "livepatch_gone") == 0);
	write_file(rec, "00000000-dead-beef-0000-000000000000 1700000000\n", 49);
	q = quarantine_boot_check(root, &n);
	CHECK(n == 1);
	for (size_t i = 0; i < n; i++)
		free(q[i]);
	free(q);
	CHECK(store_holds(root, "livepatch-gone"));
	CHECK(host_uninstall("livepatch_gone", &(struct host_opts){ .root = root, .release = "6.1.0-56-unit" },
			     &done) == LP_EXIT_OK);
	host_store_change_free(&done);
	CHECK(quarantine_is(root, "livepatch_gone", NULL));	/* still installed for 57 */
	CHECK(host_uninstall("livepatch_gone", &(struct host_opts){ .root = root, .release = "6.1.0-57-unit" },
			     &done) == LP_EXIT_OK);
	host_store_change_free(&done);
	CHECK(!store_holds(root, "livepatch_gone"));
	CHECK(!quarantine_is(root, "livepatch_gone", NULL));
	q = quarantine_list(root, &n);
	CHECK(n == 0);
	free(q);
	free(kb);
	free(ka);
	free(b);
	free(a);
	free(rec);
	free(root);
}

/* Temporary files of writes an earlier boot cut short go; this boot's and the store's stay. */
static void store_stale_temps(void)
{
	char *root = xasprintf("%s/sroot", fixture_tmp()), *rel = xasprintf("%s/6.1.0-56-unit", root);
	char *old = xasprintf("%s/.livepatch_a.ko.tmp.AbCdEf", rel), *ko = xasprintf("%s/livepatch_a.ko", rel);
	char *now = xasprintf("%s/.livepatch_b.ko.tmp.GhIjKl", rel);
	char *rec = xasprintf("%s/loads/.livepatch_a.tmp.MnOpQr", root);
	char *oldko = xasprintf("%s/livepatch_old.ko", rel);
	struct timeval past[2] = { { 1000000000, 0 }, { 1000000000, 0 } };	/* 2001: before this boot */

	CHECK(mkdir_p(rel) == 0);
	{
		char *loads = xasprintf("%s/loads", root);

		CHECK(mkdir_p(loads) == 0);
		free(loads);
	}
	CHECK(write_file(old, "x", 1) == 0 && write_file(ko, "x", 1) == 0 && write_file(now, "x", 1) == 0);
	CHECK(write_file(rec, "x", 1) == 0 && write_file(oldko, "x", 1) == 0);
	CHECK(utimes(old, past) == 0 && utimes(rec, past) == 0 && utimes(oldko, past) == 0);
	CHECK(store_clean_stale(root) == 2);
	CHECK(!path_exists(old) && !path_exists(rec));
	CHECK(path_exists(ko) && path_exists(now) && path_exists(oldko));
	CHECK(store_clean_stale(root) == 0);
	free(oldko);
	free(rec);
	free(now);
	free(ko);
	free(old);
	free(rel);
	free(root);
}

/* The textfile: per patch state, CVEs fixed, quarantine, the update check. */
static void prometheus_text(void)
{
	struct host_status st = { .release = "6.1.0-56-cloud-amd64", .version = "#1 SMP \"x\"",
				  .livepatch = true, .taint = 1ul << 15, .update_time = 1700000000,
				  .update_ok = 0 };
	struct host_patch p[2] = { { .live = { .module = true, .registered = true, .enabled = true } },
				   { .installed = "/x/livepatch_b.ko", .quarantined = "crashed" } };
	char *t;

	p[0].info.name = "livepatch_a";
	p[0].info.cves = (char *[]){ "CVE-2099-0001" };
	p[0].info.ncves = 1;
	p[1].info.name = "livepatch_b";
	st.inv.patches = p;
	st.inv.n = 2;
	st.fixed.cves = (char *[]){ "CVE-2099-0001" };
	st.fixed.ncves = 1;
	t = prom_text(&st, 1700000100);
	CHECK(strstr(t, "lpatch_kernel_info{release=\"6.1.0-56-cloud-amd64\",version=\"#1 SMP \\\"x\\\"\"} 1\n"));
	CHECK(strstr(t, "lpatch_patch_enabled{patch=\"livepatch_a\"} 1\n"));
	CHECK(strstr(t, "lpatch_patch_enabled{patch=\"livepatch_b\"} 0\n"));
	CHECK(strstr(t, "lpatch_patch_transition{patch=\"livepatch_a\"} 0\n"));
	CHECK(strstr(t, "lpatch_patch_quarantined{patch=\"livepatch_b\"} 1\n"));
	CHECK(strstr(t, "state=\"quarantined\""));
	CHECK(strstr(t, "lpatch_cve_fixed{cve=\"CVE-2099-0001\"} 1\n"));
	CHECK(strstr(t, "lpatch_kernel_taint_flag{letter=\"K\",name=\"livepatch\"} 1\n"));
	CHECK(strstr(t, "lpatch_update_check_success 0\n"));
	CHECK(strstr(t, "lpatch_update_check_timestamp_seconds 1700000000\n"));
	CHECK(strstr(t, "# TYPE lpatch_cve_fixed gauge\n"));
	free(t);
}

int main(void)
{
	lp_quiet = true;
	RUN(names_and_versions);
	RUN(package_two_releases);
	RUN(package_refusals);
	RUN(package_withdraw);
	RUN(quarantine_cycle);
	RUN(store_stale_temps);
	RUN(quarantine_uninstalled);
	RUN(prometheus_text);
	rm_rf(fixture_tmp());
	return unit_done();
}
