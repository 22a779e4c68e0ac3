#include "vm/accel.h"

#include "util/cache.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* A working KVM boots to the no-root-fs panic in about a second. */
#define PROBE_TIMEOUT_S 10.0

const char *accel_name(enum vm_accel a)
{
	return a == ACCEL_KVM ? "kvm" : "tcg";
}

/* The cache file of the verdict: what could change it is in its name. */
static char *verdict_path(const struct kernel_target *t)
{
	struct utsname u;
	struct stat st = {0};
	char *qemu = find_program(QEMU_PROGRAM, NULL), *cache = lp_cache_dir(), *path;

	if (uname(&u))
		strcpy(u.release, "unknown");
	if (qemu)
		stat(qemu, &st);
	path = xasprintf("%s/vm/accel/host-%s.qemu-%lld-%lld.%s", cache, u.release,
			 (long long)st.st_size, (long long)st.st_mtime, t->release);
	for (char *s = path + strlen(cache) + 1; *s; s++)
		if (*s != '/' && *s != '.' && *s != '-' && *s != '_' && !isalnum((unsigned char)*s))
			*s = '_';
	free(qemu);
	free(cache);
	return path;
}

/* Boot the target kernel under KVM with no root fs: a working KVM reaches
 * the "VFS: Unable to mount root fs" panic and qemu exits (-no-reboot). */
static bool probe(const struct kernel_target *t, const char **why)
{
	char *tmp = make_temp_dir("kvm-probe");
	char *console, *log, *text, **argv;
	struct qemu_result r;
	bool ok = false;

	*why = "could not run the probe";
	if (!tmp)
		return false;
	console = path_join(tmp, "console");
	log = path_join(tmp, "qemu.log");
	argv = qemu_argv(&(struct qemu_config){
		.accel = ACCEL_KVM, .kernel = t->vmlinuz, .memory_mb = 256, .cpus = 1,
		.append = "console=ttyS0 panic=-1 loglevel=4", .console = console });
	if (qemu_run(argv, false, PROBE_TIMEOUT_S, log, &r) == 0) {
		text = read_file_quiet(console, NULL);
		ok = !r.timed_out && r.status == 0 && text && strstr(text, "Kernel panic");
		*why = r.timed_out ? "a KVM guest hangs" : r.status ? "qemu -accel kvm fails"
							     : "the kernel did not boot";
		lp_debug("KVM probe: %s in %.1fs (qemu status %d)", ok ? "works" : *why, r.seconds,
			 r.status);
		free(text);
	}
	qemu_argv_free(argv);
	rm_rf(tmp);
	free(tmp);
	free(console);
	free(log);
	return ok;
}

static void remember(const char *path, enum vm_accel a)
{
	struct atomic_out out;
	char *dir = path_dirname(path);
	const char *v = a == ACCEL_KVM ? "kvm\n" : "tcg\n";

	if (!mkdir_p(dir) && !atomic_begin(&out, path)) {
		if (write_file(out.tmp, v, strlen(v)) || atomic_commit(&out))
			atomic_abort(&out);
	}
	free(dir);
}

enum vm_accel accel_choose(const struct kernel_target *t)
{
	const char *env = getenv("LPATCH_VM_ACCEL"), *why;
	enum vm_accel a;
	char *path, *known;
	int fd;

	if (env && *env) {
		if (!strcmp(env, "kvm") || !strcmp(env, "tcg"))
			return !strcmp(env, "kvm") ? ACCEL_KVM : ACCEL_TCG;
		lp_warn("LPATCH_VM_ACCEL=%s is neither kvm nor tcg: ignored", env);
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ACCEL_TCG;
	close(fd);
	path = verdict_path(t);
	known = read_file_quiet(path, NULL);
	if (known) {
		a = str_starts(known, "kvm") ? ACCEL_KVM : ACCEL_TCG;
	} else {
		lp_progress("/dev/kvm is there: checking that a KVM guest runs (at most %.0f s, "
			    "once)", PROBE_TIMEOUT_S);
		a = probe(t, &why) ? ACCEL_KVM : ACCEL_TCG;
		if (a == ACCEL_TCG)
			lp_progress("KVM does not work here (%s): using TCG", why);
		remember(path, a);
	}
	free(known);
	free(path);
	return a;
}
