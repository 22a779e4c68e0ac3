/* The Debian suites lpatch knows, and the private apt configuration of each. */
#include "target/debian/suite.h"

#include "util/fs.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"

static const char *const bookworm_archive[] = {
	"deb [signed-by=" KEYRING "] http://deb.debian.org/debian bookworm main",
	"deb [signed-by=" KEYRING "] http://deb.debian.org/debian bookworm-updates main",
	"deb [signed-by=" KEYRING "] http://deb.debian.org/debian-security bookworm-security main",
	NULL,
};

static const char *const trixie_archive[] = {
	"deb [signed-by=" KEYRING "] http://deb.debian.org/debian trixie main",
	"deb [signed-by=" KEYRING "] http://deb.debian.org/debian trixie-updates main",
	"deb [signed-by=" KEYRING "] http://deb.debian.org/debian-security trixie-security main",
	NULL,
};

static const struct debian_suite suites[] = {
	{ .prefix = "debian", .codename = "bookworm", .number = 12, .series = "6.1",
	  .abi_tag = NULL, .cc = "gcc-12", .archive = bookworm_archive, .host_apt = true },
	{ .prefix = "debian13", .codename = "trixie", .number = 13, .series = "6.12",
	  .abi_tag = "+deb13", .cc = "gcc-14", .archive = trixie_archive, .host_apt = false,
	  .all_source_listed = true },
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

const struct debian_suite *debian_suite_of_spec(const char *spec)
{
	const char *colon = strchr(spec, ':');

	for (size_t i = 0; colon && i < NSUITES; i++)
		if (strlen(suites[i].prefix) == (size_t)(colon - spec) &&
		    !strncmp(spec, suites[i].prefix, (size_t)(colon - spec)))
			return &suites[i];
	return NULL;
}

const struct debian_suite *debian_suite_named(const char *codename)
{
	for (size_t i = 0; i < NSUITES; i++)
		if (!strcmp(suites[i].codename, codename))
			return &suites[i];
	return NULL;
}

bool debian_suite_has_release(const struct debian_suite *s, const char *release)
{
	const char *tag;

	if (s->abi_tag) {
		tag = strstr(release, s->abi_tag);
		/* the tag ends the ABI, or its rebuild number does: "+deb13-" or
		 * "+deb13.1-" (not +deb130) */
		return tag && (tag[strlen(s->abi_tag)] == '-' || tag[strlen(s->abi_tag)] == '.');
	}
	/* the untagged suite: anything no tagged suite claims */
	for (size_t i = 0; i < NSUITES; i++)
		if (&suites[i] != s && suites[i].abi_tag &&
		    debian_suite_has_release(&suites[i], release))
			return false;
	return true;
}

const struct debian_suite *debian_suite_of_release(const char *release)
{
	for (size_t i = 0; i < NSUITES; i++)
		if (suites[i].abi_tag && debian_suite_has_release(&suites[i], release))
			return &suites[i];
	return &suites[0];
}

const char *debian_host_codename(void)
{
	static char codename[64];
	static bool read;
	char *text, *l;

	if (read)
		return codename;
	read = true;
	text = read_file_quiet(getenv("LPATCH_OS_RELEASE") ? getenv("LPATCH_OS_RELEASE")
							    : "/etc/os-release", NULL);
	l = text ? strstr(text, "VERSION_CODENAME=") : NULL;
	if (l && (l == text || l[-1] == '\n')) {
		l += strlen("VERSION_CODENAME=");
		l += *l == '"';
		snprintf(codename, sizeof(codename), "%.*s", (int)strcspn(l, "\"\n"), l);
	}
	free(text);
	return codename;
}

bool debian_suite_is_host(const struct debian_suite *s)
{
	return !strcmp(debian_host_codename(), s->codename);
}

/* The files of the private configuration, rewritten when they differ
 * (atomically: another lpatch may be reading them). */
static int write_if_changed(const char *path, const char *text)
{
	char *old = read_file_quiet(path, NULL);
	struct atomic_out out;
	int ret = 0;

	if (!old || strcmp(old, text)) {
		ret = atomic_begin(&out, path);
		if (!ret && (write_file(out.tmp, text, strlen(text)) || atomic_commit(&out))) {
			atomic_abort(&out);
			ret = -1;
		}
	}
	free(old);
	return ret;
}

static int write_config(const struct debian_suite *s, const char *dir, const char *conf)
{
	struct strbuf src = {0}, cf = {0};
	char *list = path_join(dir, "sources.list"), *status = path_join(dir, "status");
	const char *subdirs[] = { "lists/partial", "archives/partial", "cache", "etc/apt.conf.d",
				  "etc/preferences.d", "etc/sources.list.d", "etc/trusted.gpg.d" };
	int ret = -1;

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char *d = path_join(dir, subdirs[i]);
		int r = mkdir_p(d);

		free(d);
		if (r)
			goto out;
	}
	for (const char *const *l = s->archive; *l; l++)
		sb_addf(&src, "%s\n", *l);
	/* every directory apt reads is lpatch's own: nothing of /etc/apt counts */
	sb_addf(&cf, "// Written by lpatch: Debian %d (%s) packages for lpatch's targets.\n"
		"Dir::Etc::SourceList \"%s\";\n"
		"Dir::Etc::SourceParts \"%s/etc/sources.list.d\";\n"
		"Dir::Etc::Parts \"%s/etc/apt.conf.d\";\n"
		"Dir::Etc::Preferences \"%s/etc/preferences\";\n"
		"Dir::Etc::PreferencesParts \"%s/etc/preferences.d\";\n"
		"Dir::Etc::TrustedParts \"%s/etc/trusted.gpg.d\";\n"
		"Dir::State::Lists \"%s/lists\";\n"
		"Dir::State::status \"%s\";\n"
		"Dir::Cache \"%s/cache\";\n"
		"Dir::Cache::Archives \"%s/archives\";\n"
		"APT::Architecture \"amd64\";\n"
		"APT::Sandbox::User \"root\";\n"
		"Acquire::Languages \"none\";\n",
		s->number, s->codename, list, dir, dir, dir, dir, dir, dir, status, dir, dir);
	if (!path_exists(status) && write_file(status, "", 0))
		goto out;
	if (write_if_changed(list, src.buf) || write_if_changed(conf, cf.buf))
		goto out;
	ret = 0;
out:
	sb_free(&src);
	sb_free(&cf);
	free(list);
	free(status);
	return ret;
}

/* Seconds since the private lists were last updated; -1 if never. */
static long long lists_age(const char *stamp)
{
	struct stat st;

	if (stat(stamp, &st))
		return -1;
	return (long long)time(NULL) - (long long)st.st_mtime;
}

static long long max_age(void)
{
	const char *e = getenv("LPATCH_APT_MAX_AGE");

	return e && *e ? strtoll(e, NULL, 10) : 24 * 3600;
}

static int update_lists(const struct debian_suite *s, const char *dir, const char *stamp)
{
	const char *argv[] = { "apt-get", "update", "-q", NULL };
	char *log = path_join(dir, "update.log");
	long long age = lists_age(stamp);
	int st;

	lp_progress("updating lpatch's package lists of Debian %d (%s)%s", s->number, s->codename,
		    age < 0 ? " for the first time" : "");
	st = run(argv, &(struct run_opts){ .log = log, .no_stdin = true });
	if (st) {
		if (age >= 0) {
			lp_warn("`apt-get update` of lpatch's %s lists failed (exit %d; log %s): "
				"going on with the lists of %lld hours ago", s->codename, st, log,
				age / 3600);
			free(log);
			return 0;
		}
		lp_err("cannot fetch the package lists of Debian %d (%s): `APT_CONFIG=%s/apt.conf "
		       "apt-get update` exited %d (log: %s)", s->number, s->codename, dir, st, log);
		lp_hint("check the network and %s/sources.list", dir);
		free(log);
		return -1;
	}
	free(log);
	return write_file(stamp, "", 0);
}

int debian_suite_use_apt(const struct debian_suite *s, const char *cache)
{
	char *dir, *conf, *stamp, *lock, *what;
	int fd, ret = -1;
	long long age;

	static char *user_conf;
	static bool saved;

	/* the user's own APT_CONFIG, if any, is what the host's suite uses */
	if (!saved) {
		saved = true;
		user_conf = getenv("APT_CONFIG") ? xstrdup(getenv("APT_CONFIG")) : NULL;
	}
	if (s->host_apt && debian_suite_is_host(s)) {
		if (user_conf)
			setenv("APT_CONFIG", user_conf, 1);
		else
			unsetenv("APT_CONFIG");
		return 0;
	}
	dir = xasprintf("%s/apt/%s", cache, s->codename);
	conf = path_join(dir, "apt.conf");
	stamp = path_join(dir, ".updated");
	lock = path_join(dir, ".lock");
	what = xasprintf("lpatch's apt configuration for %s", s->codename);
	if (mkdir_p(dir) || (fd = lock_path(lock, what)) < 0)
		goto out;
	ret = write_config(s, dir, conf);
	age = lists_age(stamp);
	if (!ret) {
		setenv("APT_CONFIG", conf, 1);
		if (age < 0 || age > max_age())
			ret = update_lists(s, dir, stamp);
	}
	unlock_path(fd);
out:
	free(what);
	free(lock);
	free(stamp);
	free(conf);
	free(dir);
	return ret;
}
