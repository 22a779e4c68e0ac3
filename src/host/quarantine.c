/* Quarantine of patches that crashed the machine (quarantine.h). */
#include "host/quarantine.h"

#include "host/patchinfo.h"
#include "host/store.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOADS_DIR "loads"
#define QUARANTINE_DIR "quarantine"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"

unsigned quarantine_window(void)
{
	const char *e = getenv("LPATCH_QUARANTINE_WINDOW");
	char *end;
	unsigned long v = e ? strtoul(e, &end, 10) : 0;

	return e && *e && !*end && v >= 1 && v <= 86400 ? (unsigned)v : QUARANTINE_DEFAULT_WINDOW;
}

static char *boot_id(void)
{
	char *s = read_file_quiet(BOOT_ID, NULL);

	if (!s)
		return xstrdup("unknown");
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static char *entry(const char *root_opt, const char *dir, const char *name)
{
	char *root = store_root(root_opt), *mod = patch_module_name(name);
	char *p = xasprintf("%s/%s/%s", root, dir, mod);

	free(mod);
	free(root);
	return p;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **names_in(const char *root_opt, const char *dir, size_t *n)
{
	char *root = store_root(root_opt), *path = path_join(root, dir);
	DIR *d = opendir(path);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			*ARRAY_PUSH(v, *n, cap) = xstrdup(de->d_name);
	if (d)
		closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	free(path);
	free(root);
	return v;
}

static int write_atomic(const char *path, const char *text)
{
	char *dir = path_dirname(path);
	int ret = mkdir_p(dir) || write_file_atomic(path, text, strlen(text)) ? -1 : 0;

	free(dir);
	return ret;
}

int quarantine_note_load(const char *root, const char *name)
{
	char *path = entry(root, LOADS_DIR, name), *id = boot_id();
	char *text = xasprintf("%s %lld\n", id, (long long)time(NULL));
	int ret = write_atomic(path, text);

	if (ret)
		lp_hint("lpatch records each load to keep a patch that crashes the machine from loading at "
			"the next boot; check that %s is writable", path);
	free(text);
	free(id);
	free(path);
	return ret;
}

void quarantine_forget(const char *root, const char *name)
{
	char *path = entry(root, LOADS_DIR, name);

	unlink(path);
	free(path);
}

void quarantine_drop(const char *root, const char *name)
{
	char *path = entry(root, QUARANTINE_DIR, name);

	unlink(path);
	free(path);
}

void quarantine_schedule_settle(const char *root)
{
	char *self = path_self_exe(), *when = xasprintf("--on-active=%u", quarantine_window() + 1);
	char *root_arg = root ? xasprintf("--root=%s", root) : NULL;
	/*
	 * The timer without its default dependencies: with them it starts after
	 * sysinit.target, and systemd-run waits for a timer's start job (--no-block
	 * or not). lpatch.service runs `load --all` before sysinit.target: at boot
	 * that wait was a deadlock, and every boot with a patch to load hung for
	 * good. Conflicts= and Before=shutdown.target are the defaults it keeps.
	 * timeout(1): should systemd-run wait on anything else, lpatch goes on.
	 */
	const char *argv[] = { "timeout", "--kill-after=5", "30", "systemd-run", "--quiet", "--collect", when,
			       "--timer-property=DefaultDependencies=no",
			       "--timer-property=Conflicts=shutdown.target",
			       "--timer-property=Before=shutdown.target",
			       "--timer-property=AccuracySec=1s", self, "quarantine", "--settle", root_arg,
			       NULL };

	if (self && path_is_dir("/run/systemd/system") && have_program("systemd-run"))
		run(argv, &(struct run_opts){ .quiet = true, .no_stdin = true });
	free(root_arg);
	free(when);
	free(self);
}

/* Read a load record: its boot id and time; false when unreadable. */
static bool read_record(const char *path, char **id, long long *t)
{
	char *s = read_file_quiet(path, NULL), buf[64];
	bool ok = s && sscanf(s, "%63s %lld", buf, t) == 2;

	if (ok)
		*id = xstrdup(buf);
	free(s);
	return ok;
}

size_t quarantine_settle(const char *root, bool clean_shutdown)
{
	size_t n, settled = 0;
	char **names = names_in(root, LOADS_DIR, &n), *me = boot_id();
	long long now = time(NULL);

	for (size_t i = 0; i < n; i++) {
		char *path = entry(root, LOADS_DIR, names[i]), *id = NULL;
		long long t;

		if (read_record(path, &id, &t) && !strcmp(id, me) &&
		    (clean_shutdown || now - t >= (long long)quarantine_window())) {
			if (!unlink(path))
				settled++;
		}
		free(id);
		free(path);
		free(names[i]);
	}
	free(names);
	free(me);
	return settled;
}

char **quarantine_boot_check(const char *root, size_t *nq)
{
	size_t n, cap = 0;
	char **names = names_in(root, LOADS_DIR, &n), *me = boot_id(), **out = NULL;

	*nq = 0;
	for (size_t i = 0; i < n; i++) {
		char *path = entry(root, LOADS_DIR, names[i]), *id = NULL;
		long long t;

		if (read_record(path, &id, &t) && strcmp(id, me)) {
			char *q = entry(root, QUARANTINE_DIR, names[i]), stamp[32];
			time_t tt = (time_t)t;
			struct tm tm;

			gmtime_r(&tt, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
			char *why = xasprintf("loaded at %s in boot %s, which ended without a clean shutdown "
					      "within %u s\n", stamp, id, quarantine_window());
			if (!write_atomic(q, why)) {
				lp_warn("quarantined %s: %.*s", names[i], (int)strcspn(why, "\n"), why);
				*ARRAY_PUSH(out, *nq, cap) = xstrdup(names[i]);
				unlink(path);
			}
			free(why);
			free(q);
		} else if (!id) {
			unlink(path);	/* a record cut short by the crash itself: its load never began */
		}
		free(id);
		free(path);
		free(names[i]);
	}
	free(names);
	free(me);
	return out;
}

bool quarantine_is(const char *root, const char *name, char **why)
{
	char *path = entry(root, QUARANTINE_DIR, name);
	char *s = read_file_quiet(path, NULL);

	free(path);
	if (why) {
		if (s)
			s[strcspn(s, "\n")] = '\0';
		*why = s;
	} else {
		free(s);
	}
	return s != NULL;
}

int quarantine_lift(const char *root, const char *name)
{
	char *path = entry(root, QUARANTINE_DIR, name);
	int ret = LP_EXIT_OK;

	if (unlink(path)) {
		if (errno == ENOENT) {
			lp_err("%s is not quarantined (no %s)", name, path);
			lp_hint("`lpatch quarantine` lists the quarantined patches");
			ret = LP_EXIT_REFUSED;
		} else {
			lp_perr("cannot remove %s", path);
			ret = LP_EXIT_FAIL;
		}
	}
	free(path);
	return ret;
}

char **quarantine_list(const char *root, size_t *n)
{
	return names_in(root, QUARANTINE_DIR, n);
}
