/* Debian suites as targets (issue 13): which suite a spec and a release
 * belong to, the spec forms of Debian 13, the private apt configuration
 * (written under the cache, never /etc/apt) and the meta answers kept
 * apart per suite. No network: the lists are marked fresh beforehand. */
#include "unit.h"

#include "deb/deb.h"
#include "target/debian/release.h"
#include "target/debian/suite.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static char *tmp;

static void test_suite_of_spec(void)
{
	const struct debian_suite *s;

	s = debian_suite_of_spec("debian13:cloud");
	CHECK(s && !strcmp(s->codename, "trixie"));
	CHECK(s && s->number == 13 && !strcmp(s->series, "6.12") && !strcmp(s->cc, "gcc-14"));
	s = debian_suite_of_spec("debian:cloud");
	CHECK(s && !strcmp(s->codename, "bookworm") && !strcmp(s->cc, "gcc-12"));
	CHECK(debian_suite_of_spec("debian1:cloud") == NULL);
	CHECK(debian_suite_of_spec("debian14:cloud") == NULL);
	CHECK(debian_suite_of_spec("debian13") == NULL);
	CHECK(debian_suite_named("trixie") == debian_suite_of_spec("debian13:x"));
	CHECK(debian_suite_named("sid") == NULL);
}

static void test_suite_of_release(void)
{
	const struct debian_suite *trixie = debian_suite_named("trixie");
	const struct debian_suite *bookworm = debian_suite_named("bookworm");

	CHECK(debian_suite_of_release("6.12.118+deb13-cloud-amd64") == trixie);
	CHECK(debian_suite_of_release("6.12.107+deb13-amd64") == trixie);
	CHECK(debian_suite_of_release("6.1.0-56-cloud-amd64") == bookworm);
	/* bookworm-backports' 6.12 is Debian 12's */
	CHECK(debian_suite_of_release("6.12.107+deb12-amd64") == bookworm);
	CHECK(debian_suite_has_release(trixie, "6.12.118+deb13-cloud-amd64"));
	CHECK(!debian_suite_has_release(trixie, "6.12.118+deb130-cloud-amd64"));
	CHECK(!debian_suite_has_release(trixie, "6.1.0-56-cloud-amd64"));
	CHECK(!debian_suite_has_release(bookworm, "6.12.118+deb13-cloud-amd64"));
	CHECK(debian_suite_has_release(bookworm, "6.12.107+deb12-amd64"));
	/* a rebuild of one upstream release (linux 6.12.115-2): the archive's
	 * 6.12.115+deb13.1 ABI */
	CHECK(debian_suite_has_release(trixie, "6.12.115+deb13.1-cloud-amd64"));
	CHECK(debian_suite_of_release("6.12.115+deb13.1-cloud-amd64") == trixie);
	CHECK(!debian_suite_has_release(bookworm, "6.12.115+deb13.1-cloud-amd64"));
}

static void test_spec_forms(void)
{
	const struct debian_suite *s;
	struct debian_release r;
	char *meta, *rel;

	CHECK(debian_parse_suite_spec("debian13:cloud", &s, &meta, &rel) == 0);
	CHECK(s && !strcmp(s->codename, "trixie"));
	CHECK_STR(meta, "linux-image-cloud-amd64");
	CHECK(rel == NULL);
	free(meta);
	CHECK(debian_parse_suite_spec("debian13:amd64", &s, &meta, &rel) == 0);
	CHECK_STR(meta, "linux-image-amd64");
	free(meta);
	CHECK(debian_parse_suite_spec("debian13:6.12.118+deb13-cloud-amd64", &s, &meta, &rel) == 0);
	CHECK(meta == NULL);
	CHECK_STR(rel, "6.12.118+deb13-cloud-amd64");
	free(rel);
	CHECK(debian_parse_suite_spec("debian13:linux-image-6.12.110+deb13-amd64", &s, &meta,
				      &rel) == 0);
	CHECK_STR(rel, "6.12.110+deb13-amd64");
	free(rel);
	/* the package and directory names are made of these parts */
	CHECK(debian_parse_release("6.12.118+deb13-cloud-amd64", &r));
	CHECK_STR(r.abi, "6.12.118+deb13");
	CHECK_STR(r.flavour, "cloud-amd64");
	CHECK_STR(r.series, "6.12");
	debian_release_free(&r);
	CHECK(debian_parse_release("6.12.115+deb13.1-cloud-amd64", &r));
	CHECK_STR(r.abi, "6.12.115+deb13.1");
	CHECK_STR(r.flavour, "cloud-amd64");
	CHECK_STR(r.series, "6.12");
	debian_release_free(&r);
	CHECK(!debian_parse_release("6.12.115+deb13.-cloud-amd64", &r));
	/* the old spelling still means Debian 12 */
	CHECK(debian_parse_spec("debian:cloud", &meta, &rel) == 0);
	CHECK_STR(meta, "linux-image-cloud-amd64");
	free(meta);
}

static void test_spec_wrong_suite(void)
{
	const char *bad[] = { "debian13:6.1.0-56-cloud-amd64", "debian13:6.12.107+deb12-amd64",
			      "debian:6.12.118+deb13-cloud-amd64", "debian13:", "debian13:6.12",
			      "debian13:trixie", "debian14:cloud" };
	const struct debian_suite *s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *meta = (char *)"x", *rel = (char *)"x";

		CHECK(debian_parse_suite_spec(bad[i], &s, &meta, &rel) == -1);
		CHECK(meta == NULL && rel == NULL);
	}
}

static void test_host_codename(void)
{
	char *f = path_join(tmp, "os-release");
	const char *text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\n"
			   "VERSION_CODENAME=bookworm\nID=debian\n";

	write_file(f, text, strlen(text));
	setenv("LPATCH_OS_RELEASE", f, 1);
	CHECK_STR(debian_host_codename(), "bookworm");
	CHECK(debian_suite_is_host(debian_suite_named("bookworm")));
	CHECK(!debian_suite_is_host(debian_suite_named("trixie")));
	free(f);
}

/* The private configuration: written under the cache, read by apt itself
 * (apt-config), and the host's suite goes back to the host's apt. */
static void test_private_apt(void)
{
	const struct debian_suite *trixie = debian_suite_named("trixie");
	char *cache = path_join(tmp, "cache"), *dir = path_join(cache, "apt/trixie");
	char *updated = path_join(dir, ".updated"), *conf = path_join(dir, "apt.conf");
	char *list = path_join(dir, "sources.list"), *text;
	const char *argv[] = { "apt-config", "dump", NULL };
	char *dump;

	unsetenv("APT_CONFIG");
	mkdir_p(dir);
	write_file(updated, "", 0);	/* fresh: no apt-get update */
	CHECK(debian_suite_use_apt(trixie, cache) == 0);
	CHECK(getenv("APT_CONFIG") && !strcmp(getenv("APT_CONFIG"), conf));
	text = read_file_quiet(list, NULL);
	CHECK(text && strstr(text, " trixie main\n") && strstr(text, " trixie-security main\n"));
	CHECK(text && !strstr(text, "bookworm"));
	free(text);
	dump = run_capture(argv, &(struct run_opts){ .quiet = true, .no_stdin = true }, NULL);
	CHECK(dump != NULL);
	text = xasprintf("Dir::State::lists \"%s/lists\";", dir);
	CHECK(dump && strstr(dump, text));
	free(text);
	text = xasprintf("Dir::Etc::sourcelist \"%s\";", list);
	CHECK(dump && strstr(dump, text));
	free(text);
	CHECK(dump && !strstr(dump, "Dir::Etc::sourcelist \"sources.list\""));
	free(dump);
	/* lists_dir follows APT_CONFIG: the private lists, empty here */
	CHECK(!apt_have_lists());
	/* Debian 12 on a Debian 12 host: the host's apt again */
	CHECK(debian_suite_use_apt(debian_suite_named("bookworm"), cache) == 0);
	CHECK(getenv("APT_CONFIG") == NULL);
	free(list);
	free(conf);
	free(updated);
	free(dir);
	free(cache);
}

/* A meta package's answer is kept per suite: Debian 13's linux-image-cloud-amd64
 * is not Debian 12's. */
static void test_meta_per_suite(void)
{
	const struct debian_suite *trixie = debian_suite_named("trixie");
	char *cache = path_join(tmp, "cache"), *file, *text, *rel, *ver = NULL;

	CHECK(debian_suite_use_apt(trixie, cache) == 0);
	file = xasprintf("%s/targets/.resolved-trixie-linux-image-cloud-amd64", cache);
	text = xasprintf("%lld 6.12.118+deb13-cloud-amd64 6.12.118-1\n", apt_lists_stamp());
	mkdir_p(path_dirname(file));
	write_file(file, text, strlen(text));
	rel = debian_suite_meta_release(cache, trixie, "linux-image-cloud-amd64", &ver);
	CHECK_STR(rel, "6.12.118+deb13-cloud-amd64");
	CHECK_STR(ver, "6.12.118-1");
	free(rel);
	free(ver);
	free(text);
	free(file);
	free(cache);
}

int main(void)
{
	tmp = make_temp_dir("test-suite");
	if (!tmp)
		return 1;
	RUN(test_suite_of_spec);
	RUN(test_suite_of_release);
	RUN(test_spec_forms);
	RUN(test_spec_wrong_suite);
	RUN(test_host_codename);
	RUN(test_private_apt);
	RUN(test_meta_per_suite);
	rm_rf(tmp);
	free(tmp);
	return unit_done();
}
