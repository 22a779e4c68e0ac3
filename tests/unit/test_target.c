/* The target-kernel layer without the network: specs, releases, versions,
 * cache rules, stamps, configs, trees, and the cached fast path. */
#include "fixture.h"
#include "unit.h"

#include "target/debian/release.h"
#include "deb/deb.h"
#include "target/kconfig.h"
#include "target/modsyms.h"
#include "target/stamp.h"
#include "target/target.h"
#include "target/tree.h"
#include "util/cache.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <unistd.h>

static char *tmp;

static void put(const char *rel, const char *text) { fixture_put(tmp, rel, text); }

static void test_spec_meta(void)
{
	char *meta, *rel;

	CHECK(debian_parse_spec("debian:cloud", &meta, &rel) == 0);
	CHECK_STR(meta, "linux-image-cloud-amd64");
	CHECK(rel == NULL);
	free(meta);
	CHECK(debian_parse_spec("debian:amd64", &meta, &rel) == 0);
	CHECK_STR(meta, "linux-image-amd64");
	free(meta);
}

static void test_spec_release(void)
{
	char *meta, *rel;

	CHECK(debian_parse_spec("debian:6.1.0-56-cloud-amd64", &meta, &rel) == 0);
	CHECK(meta == NULL);
	CHECK_STR(rel, "6.1.0-56-cloud-amd64");
	free(rel);
	CHECK(debian_parse_spec("debian:6.12.107+deb12-amd64", &meta, &rel) == 0);
	CHECK_STR(rel, "6.12.107+deb12-amd64");
	free(rel);
}

static void test_spec_refused(void)
{
	const char *bad[] = { "cloud", "debian:", "debian:6.1", "debian:6.1.0-56",
			      "debian:6.1.0-56-", "debian:6.1.0-56-Cloud", "debian:6.1.0-x-amd64",
			      "ubuntu:6.1.0-56-cloud-amd64", "debian:6.1.0+-amd64" };
	char *meta, *rel;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = debian_parse_spec(bad[i], &meta, &rel);

		CHECK(r == -1);
		CHECK(!meta && !rel);
		if (r != -1)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	}
}

static void test_release_parts(void)
{
	struct debian_release r;

	CHECK(debian_parse_release("6.1.0-56-cloud-amd64", &r));
	CHECK_STR(r.abi, "6.1.0-56");
	CHECK_STR(r.flavour, "cloud-amd64");
	CHECK_STR(r.series, "6.1");
	debian_release_free(&r);
	CHECK(debian_parse_release("6.12.107+deb12-rt-amd64", &r));
	CHECK_STR(r.abi, "6.12.107+deb12");
	CHECK_STR(r.flavour, "rt-amd64");
	CHECK_STR(r.series, "6.12");
	debian_release_free(&r);
	CHECK(!debian_parse_release("6.1.0-56", &r));
	CHECK(r.release == NULL);
}

static void test_version_order(void)
{
	/* each pair: first < second, as dpkg --compare-versions says */
	static const char *lt[][2] = {
		{ "6.1.192-1", "6.1.192-2" },	   { "6.1.190-1", "6.1.192-1" },
		{ "6.1.99-1", "6.1.192-1" },	   { "1.0", "1.0-1" },
		{ "1.0~rc1", "1.0" },		   { "6.12.107-1~deb12u1", "6.12.107-1" },
		{ "1.0", "1.0a" },		   { "1.0", "1.0+b1" },
		{ "9.9", "1:0.1" },		   { "1.0-1~bpo1", "1.0-1" },
		{ "6.1.0-9", "6.1.0-56" },	   { "1.0a", "1.0." },
	};

	for (size_t i = 0; i < sizeof(lt) / sizeof(lt[0]); i++) {
		CHECK(deb_version_cmp(lt[i][0], lt[i][1]) < 0);
		CHECK(deb_version_cmp(lt[i][1], lt[i][0]) > 0);
	}
	CHECK(deb_version_cmp("6.1.192-2", "6.1.192-2") == 0);
	CHECK(deb_version_cmp("0:1.01-1", "1.1-1") == 0);
}

static void test_version_parts(void)
{
	char *s;

	CHECK_STR(s = deb_upstream_version("6.1.192-2"), "6.1.192");
	free(s);
	CHECK_STR(s = deb_upstream_version("1:6.12.107-1~deb12u1"), "6.12.107");
	free(s);
	CHECK_STR(s = deb_upstream_version("6.1.192"), "6.1.192");
	free(s);
	CHECK_STR(s = deb_file_prefix("linux-source-6.1", "6.1.192-2"), "linux-source-6.1_6.1.192-2_");
	free(s);
	CHECK_STR(s = deb_file_prefix("p", "1:2.0-1"), "p_1%3a2.0-1_");
	free(s);
}

static void expect_cache(const char *lpatch_cache, const char *xdg, const char *home,
			 const char *want)
{
	char *got;

#define SETENV(name, v) ((v) ? setenv(name, v, 1) : unsetenv(name))
	SETENV("LPATCH_CACHE", lpatch_cache);
	SETENV("XDG_CACHE_HOME", xdg);
	SETENV("HOME", home);
	got = lp_cache_dir();
	CHECK_STR(got, want);
	free(got);
}

static void test_cache_dir(void)
{
	char *saved[3], *cwd = path_absolute("rel/cache");
	const char *names[3] = { "LPATCH_CACHE", "XDG_CACHE_HOME", "HOME" };

	for (int i = 0; i < 3; i++)
		saved[i] = getenv(names[i]) ? xstrdup(getenv(names[i])) : NULL;
	expect_cache("/c/lp", "/xdg", "/home/u", "/c/lp");
	expect_cache("/c/lp//", NULL, "/home/u", "/c/lp");
	expect_cache("rel/cache", NULL, "/home/u", cwd);
	expect_cache("", "/xdg", "/home/u", "/xdg/lpatch");
	expect_cache(NULL, "/xdg/", "/home/u", "/xdg/lpatch");
	expect_cache(NULL, "relative", "/home/u", "/home/u/.cache/lpatch");
	expect_cache(NULL, NULL, "/home/u", "/home/u/.cache/lpatch");
	expect_cache(NULL, NULL, "/", "/.cache/lpatch");
	for (int i = 0; i < 3; i++) {
		SETENV(names[i], saved[i]);
		free(saved[i]);
	}
	free(cwd);
}

static void test_stamps(void)
{
	char *dir = path_join(tmp, "stamps"), *s;

	mkdir_p(dir);
	CHECK(!stamp_done(dir, "image"));
	CHECK(stamp_read(dir, "image") == NULL);
	CHECK(stamp_mark(dir, "image", "6.1.192-2") == 0);
	CHECK(stamp_done(dir, "image"));
	CHECK(!stamp_done(dir, "headers"));
	CHECK_STR(s = stamp_read(dir, "image"), "6.1.192-2");
	free(s);
	CHECK_STR(s = stamp_path(dir, "image"), xasprintf("%s/.image.done", dir));
	free(s);
	CHECK(stamp_mark(dir, "image", "6.1.192-3") == 0);	/* rewriting is atomic */
	CHECK_STR(s = stamp_read(dir, "image"), "6.1.192-3");
	free(s);
	CHECK(stamp_clear(dir, "image") == 0);
	CHECK(!stamp_done(dir, "image"));
	CHECK(stamp_clear(dir, "image") == 0);	/* clearing twice is fine */
	free(dir);
}

static void test_config_diff(void)
{
	char *want = path_join(tmp, "want.config"), *have = path_join(tmp, "have.config");
	char *report = NULL, *cc;

	put("want.config", "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n"
			   "CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\nCONFIG_S=\"x y\"\n"
			   "CONFIG_PAHOLE_VERSION=124\n# CONFIG_GONE is not set\n");
	put("have.config", "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n"
			   "CONFIG_A=y\nCONFIG_B=m\nCONFIG_S=\"x y\"\nCONFIG_EXTRA=y\n"
			   "CONFIG_PAHOLE_VERSION=0\n");
	CHECK(config_diff(want, have, &report) == 0);
	free(report);
	put("have.config", "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
			   "CONFIG_A=m\nCONFIG_C=y\nCONFIG_S=\"x y\"\n");
	/* CC_VERSION_TEXT, A, B (missing), C (set but want unset) */
	CHECK(config_diff(want, have, &report) == 4);
	CHECK(report && strstr(report, "CONFIG_A: y in the target's config, m in"));
	CHECK(report && strstr(report, "CONFIG_B: m in the target's config, unset in"));
	free(report);
	CHECK_STR(cc = config_cc(want), "gcc-12");
	free(cc);
	CHECK_STR(cc = config_value(want, "S"), "x y");
	free(cc);
	CHECK(config_value(want, "C") == NULL);
	CHECK(config_diff(want, "/nonexistent/config", NULL) == -1);
	free(want);
	free(have);
}

static void test_cached_debs(void)
{
	char *debs = path_join(tmp, "debs"), *v, *p;

	put("debs/pkg_1.0-1_amd64.deb", "");
	put("debs/pkg_1.0-2_amd64.deb", "");
	put("debs/pkg_1%3a0.5-1_amd64.deb", "");
	put("debs/pkg-dbg_9.0-1_amd64.deb", "");
	p = deb_find_cached(debs, "pkg", &v);
	CHECK_STR(v, "1:0.5-1");
	CHECK(p && str_ends(p, "/pkg_1%3a0.5-1_amd64.deb"));
	free(p);
	free(v);
	CHECK((p = deb_find(debs, "pkg", "1.0-2")) && str_ends(p, "/pkg_1.0-2_amd64.deb"));
	free(p);
	CHECK(deb_find(debs, "pkg", "1.0") == NULL);
	CHECK(deb_find_cached(debs, "other", &v) == NULL && v == NULL);
	free(debs);
}

/* A real (tiny) .deb made with dpkg-deb: its control fields and Depends. */
static void test_deb_fields(void)
{
	const char *control = "Package: linux-headers-6.1.0-56-cloud-amd64\nVersion: 6.1.192-2\n"
			      "Architecture: amd64\nMaintainer: t <t@example.org>\n"
			      "Depends: linux-headers-6.1.0-56-common (= 6.1.192-2), "
			      "linux-kbuild-6.1 (>= 6.1.192-2), linux-compiler-gcc-12-x86\n"
			      "Description: test\n";
	char *root = path_join(tmp, "debroot"), *deb = path_join(tmp, "t.deb"), *s;
	const char *argv[] = { "dpkg-deb", "--root-owner-group", "-b", root, deb, NULL };
	struct run_opts o = { .quiet = true };

	put("debroot/DEBIAN/control", control);
	if (run(argv, &o) != 0) {
		printf("# dpkg-deb -b failed: deb field checks skipped\n");
		goto out;
	}
	CHECK_STR(s = deb_field(deb, "Version"), "6.1.192-2");
	free(s);
	CHECK_STR(s = deb_depends_on(deb, "linux-headers-", "-common"), "linux-headers-6.1.0-56-common");
	free(s);
	CHECK_STR(s = deb_depends_on(deb, "linux-kbuild-", ""), "linux-kbuild-6.1");
	free(s);
	CHECK(deb_depends_on(deb, "linux-source-", "") == NULL);
	s = deb_field(deb, "Nonexistent-Field");
	CHECK(s == NULL || !*s);
	free(s);
out:
	free(root);
	free(deb);
}

/* deb_unpacked: a .deb unpacked once into <into>/<name>_<version>; then the directory is reused. */
static void test_deb_unpacked(void)
{
	char *root = path_join(tmp, "unproot"), *deb = path_join(tmp, "u.deb");
	char *into = path_join(tmp, "unpacked"), *dir = NULL, *again = NULL, *s;
	const char *argv[] = { "dpkg-deb", "--root-owner-group", "-b", root, deb, NULL };
	struct apt_pkg p = { .name = "efi-thing", .version = "1:2.0-1", .size = -1 };

	put("unproot/DEBIAN/control", "Package: efi-thing\nVersion: 1:2.0-1\nArchitecture: all\n"
				      "Maintainer: t <t@example.org>\nDescription: test\n");
	put("unproot/usr/lib/thing/file.efi", "signed\n");
	if (run(argv, &(struct run_opts){ .quiet = true }) != 0) {
		printf("# dpkg-deb -b failed: deb_unpacked checks skipped\n");
		goto out;
	}
	dir = deb_unpacked(NULL, into, &p, deb);
	CHECK(dir && str_ends(dir, "/unpacked/efi-thing_1:2.0-1"));
	s = dir ? path_join(dir, "usr/lib/thing/file.efi") : NULL;
	CHECK(s && path_exists(s));
	free(s);
	s = path_join(into, "efi-thing_1:2.0-1.tmp");
	CHECK(!path_exists(s));		/* no leftover of the unpacking */
	free(s);
	/* done once: no .deb is needed (nor fetched) the second time */
	unlink(deb);
	again = deb_unpacked(NULL, into, &p, NULL);
	CHECK(again && dir && !strcmp(again, dir));
	/* a .deb dpkg-deb cannot read: an error, and no directory */
	put("bad.deb", "not a deb");
	p.version = "3";
	s = path_join(tmp, "bad.deb");
	CHECK(deb_unpacked(NULL, into, &p, s) == NULL);
	free(s);
	s = path_join(into, "efi-thing_3");
	CHECK(!path_exists(s));
	free(s);
out:
	free(again);
	free(dir);
	free(into);
	free(root);
	free(deb);
}

static void test_tree(void)
{
	char *tree = path_join(tmp, "tree"), *s;

	put("tree/Makefile", "# SPDX\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\n");
	CHECK_STR(s = tree_makefile_version(tree), "6.1.192");
	free(s);
	CHECK(tree_utsrelease(tree) == NULL);
	CHECK(tree_check_prepared(tree) == -1);
	put("tree/.config", "CONFIG_A=y\n");
	put("tree/include/config/auto.conf", "");
	put("tree/include/generated/autoconf.h", "");
	put("tree/include/generated/utsrelease.h", "#define UTS_RELEASE \"6.1.0-56-cloud-amd64\"\n");
	CHECK(tree_check_prepared(tree) == -1);	/* no modpost yet */
	put("tree/scripts/mod/modpost", "");
	CHECK(tree_check_prepared(tree) == 0);
	CHECK_STR(s = tree_utsrelease(tree), "6.1.0-56-cloud-amd64");
	free(s);
	free(tree);
}

/* Everything stamped in the cache: no apt, no tool, just the paths. */
static void test_cached_target(void)
{
	const char *rel = "6.1.0-56-cloud-amd64";
	char *saved = getenv("LPATCH_CACHE") ? xstrdup(getenv("LPATCH_CACHE")) : NULL;
	char *cache = path_join(tmp, "cache"), *dir = xasprintf("%s/targets/%s", cache, rel);
	char *resolved = xasprintf("%lld %s 6.1.192-2\n", apt_lists_stamp(), rel);
	struct kernel_target t;
	char p[512];

	setenv("LPATCH_CACHE", cache, 1);
	put("cache/targets/.resolved-linux-image-cloud-amd64", resolved);
	snprintf(p, sizeof(p), "cache/targets/%s/image/boot/config-%s", rel, rel);
	put(p, "CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n");
	snprintf(p, sizeof(p), "cache/targets/%s/image/lib/modules/%s/modules.dep", rel, rel);
	put(p, "");
	stamp_mark(dir, "image", "6.1.192-2");
	CHECK(target_open("debian:cloud", TARGET_BOOT, &t) == 0);
	CHECK_STR(t.release, rel);
	CHECK_STR(t.version, "6.1.192-2");
	CHECK_STR(t.dir, dir);
	CHECK_STR(t.cc, "gcc-12");
	CHECK(t.vmlinuz && str_ends(t.vmlinuz, "/image/boot/vmlinuz-6.1.0-56-cloud-amd64"));
	CHECK(t.modules && str_ends(t.modules, "/image/lib/modules/6.1.0-56-cloud-amd64"));
	CHECK(t.headers == NULL && t.vmlinux == NULL && t.src == NULL);
	target_free(&t);
	CHECK(target_open("debian:nonsense", TARGET_BOOT, &t) == -2);
	CHECK(target_open("/some/dir", TARGET_BOOT, &t) == -2);
	CHECK(target_open("nosuch:cloud", TARGET_BOOT, &t) == LP_REFUSED);
	SETENV("LPATCH_CACHE", saved);
	free(saved);
	free(resolved);
	free(dir);
	free(cache);
}

/* A status becomes the exit code every command documents. */
static void test_exit_codes(void)
{
	CHECK(LP_OK == 0 && LP_FAIL == -1 && LP_REFUSED == -2);
	CHECK(lp_exit_code(LP_OK, LP_EXIT_FAIL) == LP_EXIT_OK);
	CHECK(lp_exit_code(LP_REFUSED, LP_EXIT_FAIL) == LP_EXIT_REFUSED);
	CHECK(lp_exit_code(LP_FAIL, LP_EXIT_FAIL) == LP_EXIT_FAIL);
	CHECK(lp_exit_code(LP_FAIL, 124) == 124);
	CHECK(lp_exit_code(LP_REFUSED, 124) == LP_EXIT_REFUSED);
}

/*
 * The meta package's remembered answer is checked before it is used: a
 * release that is no Debian release ("../../x", which would name a
 * directory outside the cache) or a version that is no Debian version is
 * ignored and apt is asked again (or there is no answer at all); a good
 * entry is used as it is.
 */
static void test_remembered_release_checked(void)
{
	const char *meta = "linux-image-cloud-amd64";
	const char *bad[] = { "../../x 1.0", "6.1.0-99-cloud-amd64 ../1.0",
			      "6.1.0-99-cloud-amd64/.. 6.1.999-1", "x 6.1.999-1" };
	char *cache = path_join(tmp, "cache-resolved");
	char *file = xasprintf("%s/targets/.resolved-%s", cache, meta);
	char *text, *rel, *ver;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct debian_release r;

		text = xasprintf("%lld %s\n", apt_lists_stamp(), bad[i]);
		put("cache-resolved/targets/.resolved-linux-image-cloud-amd64", text);
		rel = debian_meta_release(cache, meta, &ver);
		/* apt's answer, or none (no lists here): never the planted one */
		CHECK(!rel || (debian_parse_release(rel, &r) && !strchr(rel, '/')));
		CHECK(!rel || (ver && strcmp(ver, "1.0") && !strchr(ver, '/')));
		if (rel)
			debian_release_free(&r);
		if (!rel)
			fprintf(stderr, "  (apt named no release for %s here)\n", meta);
		free(rel);
		free(ver);
		free(text);
	}
	text = xasprintf("%lld 6.1.0-99-cloud-amd64 6.1.999-1\n", apt_lists_stamp());
	put("cache-resolved/targets/.resolved-linux-image-cloud-amd64", text);
	rel = debian_meta_release(cache, meta, &ver);
	CHECK_STR(rel, "6.1.0-99-cloud-amd64");
	CHECK_STR(ver, "6.1.999-1");
	free(rel);
	free(ver);
	free(text);
	free(file);
	free(cache);
}

/* The module's copy with symbols, as a provider would give it: the path it
 * was asked for, under the modules tree. */
static char *asked_for;
static char *fake_module_symbols(const struct kernel_target *t, const char *relpath)
{
	free(asked_for);
	asked_for = xstrdup(relpath);
	return path_join(t->modules, relpath);
}

/* 6.12's modules.dep names compressed modules (.ko.xz); the -dbg package's
 * copies with symbols are plain .ko: the module is found, by its name with
 * '-' or '_', and its copy asked for as .ko. */
static void test_compressed_modules(void)
{
	const struct target_provider fake = { .prefix = "fake",
					      .module_symbols = fake_module_symbols };
	struct kernel_target t = { .provider = &fake };
	char *sym;

	put("mods/modules.dep", "kernel/fs/binfmt_misc.ko.xz:\n"
				"kernel/drivers/net/virtio_net.ko.zst: kernel/net/core/failover.ko.zst\n"
				"kernel/fs/xfs/xfs.ko:\n"
				"kernel/fs/plain.kox:\n");
	t.modules = path_join(tmp, "mods");
	CHECK(target_has_module(&t, "binfmt_misc"));
	CHECK(target_has_module(&t, "virtio-net"));
	CHECK(target_has_module(&t, "xfs"));
	CHECK(!target_has_module(&t, "plain"));
	CHECK(!target_has_module(&t, "binfmt"));
	sym = target_module_symbols(&t, "binfmt_misc");
	CHECK_STR(asked_for, "kernel/fs/binfmt_misc.ko");
	free(sym);
	sym = target_module_symbols(&t, "virtio_net");
	CHECK_STR(asked_for, "kernel/drivers/net/virtio_net.ko");
	free(sym);
	sym = target_module_symbols(&t, "xfs");
	CHECK_STR(asked_for, "kernel/fs/xfs/xfs.ko");
	free(sym);
	free(asked_for);
	asked_for = NULL;
	free(t.modules);
}

int main(void)
{
	tmp = make_temp_dir("test-target");
	if (!tmp)
		return 1;
	RUN(test_spec_meta);
	RUN(test_spec_release);
	RUN(test_spec_refused);
	RUN(test_release_parts);
	RUN(test_version_order);
	RUN(test_version_parts);
	RUN(test_cache_dir);
	RUN(test_stamps);
	RUN(test_config_diff);
	RUN(test_cached_debs);
	RUN(test_deb_fields);
	RUN(test_deb_unpacked);
	RUN(test_tree);
	RUN(test_cached_target);
	RUN(test_compressed_modules);
	RUN(test_exit_codes);
	RUN(test_remembered_release_checked);
	rm_rf(tmp);
	free(tmp);
	return unit_done();
}
