/*
 * liblpatch-preload.so: the start-up hook of installed process patches
 * (`lpatch install --user`, docs/user-install.md). Named in /etc/ld.so.preload,
 * the dynamic loader maps it into every dynamically linked process, and its
 * constructor runs after the loader has relocated every object and before
 * the program's own constructors and main. It:
 *
 *   1. reads the index of installed patches beside itself (ROOT/user/index,
 *      ROOT/user being the directory this library was loaded from);
 *   2. compares the build-id of every loaded object with the index (in
 *      memory, dl_iterate_phdr: no file is opened);
 *   3. only when one matches: asks the resident service listening beside the
 *      index (`lpatch-hook serve`) to apply the patches to this process, or,
 *      when none listens, runs `PROGRAM hook-apply PID FILE...`, PROGRAM
 *      being the index's (lpatch-hook, or lpatch). Either applies the patches
 *      with ptrace as `lpatch apply` does, while this thread waits in
 *      poll(2); then it returns.
 *
 * It never stops a process from starting: every failure is silent and the
 * program runs on unpatched. A process that cannot be patched safely (setuid,
 * a seccomp filter, MemoryDenyWriteExecute, not dumpable) is not tried; the
 * reason, and the first line of a failed attempt, is left in a named
 * memory-file mapping, "/memfd:lpatch-unpatched:REASON", where `lpatch ps`
 * reads it. Only libc is used, no stdio stream, no allocation; errno is preserved.
 * It includes nothing of lpatch's own (a layer of its own, docs/design.md).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_GET_MDWE
#define PR_GET_MDWE 66
#endif

#define INDEX_MAGIC "lpatch-user-index 1\n"
#define MAX_PATCHES 32
#define MAX_PATH 4096
/* lpatch gets this long to apply the patches; then it is killed (the process
 * comes back whole whenever lpatch dies, docs/user-patch-format.md). */
#define APPLY_TIMEOUT_MS 5000

/* Where the resident service listens, beside the index (`lpatch-hook serve`,
 * src/cli/hookd.c, whose protocol this follows; USTORE_SOCKET there). */
#define SERVICE_SOCKET "/hook.sock"

/* Set in the environment of the lpatch it runs, so that lpatch itself is not hooked. */
#define CHILD_ENV "LPATCH_HOOK_CHILD=1"

/*
 * Never called: the two instruction sequences lpatch runs in a process to make
 * system calls in it (src/user/remote.c), so that it finds them in a page of
 * this library instead of reading all of libc's code in every process it
 * patches at start.
 */
__asm__(".pushsection .text\n"
	".type lpatch_gadgets, @function\n"
	"lpatch_gadgets:\n"
	"\tsyscall\n"
	"\tret\n"
	"\tmovq $15, %rax\n"	/* rt_sigreturn, as glibc's __restore_rt */
	"\tsyscall\n"
	"\tud2\n"
	".size lpatch_gadgets, . - lpatch_gadgets\n"
	".popsection\n");

struct want {
	const char *name, *build_id;	/* into the index buffer, NUL-terminated */
	bool hit;
};

struct scan {
	struct want *w;
	int n, hits;
};

static void hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The GNU build-id of one loaded object, as hex, from its PT_NOTE segments in memory. */
static bool build_id_of(const struct dl_phdr_info *info, char out[129])
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + 3) & ~3u, desc = (nh->n_descsz + 3) & ~3u;
			const unsigned char *d = p + sizeof(*nh) + name;

			if (d + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof(*nh), "GNU", 4) && nh->n_descsz && nh->n_descsz <= 64) {
				hex(d, nh->n_descsz, out);
				return true;
			}
			p = d + desc;
		}
	}
	return false;
}

static int each_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct scan *sc = arg;
	char id[129];

	if (!build_id_of(info, id))
		return 0;
	for (int i = 0; i < sc->n; i++)
		if (!sc->w[i].hit && !strcmp(sc->w[i].build_id, id)) {
			sc->w[i].hit = true;
			sc->hits++;
		}
	return 0;
}

/*
 * The index: INDEX_MAGIC, "lpatch PATH" (the lpatch to run), then one
 * "patch NAME BUILD-ID OBJECT" line per installed patch. Cut in place.
 */
static int parse_index(char *buf, const char **lpatch, struct want *w)
{
	char *line = buf + strlen(INDEX_MAGIC), *next;
	int n = 0;

	*lpatch = NULL;
	for (; *line; line = next) {
		char *f[4];
		int k = 0;

		next = strchr(line, '\n');
		if (!next)
			break;	/* a line is whole or not at all */
		*next++ = '\0';
		for (char *tok = strtok(line, " "); tok && k < 4; tok = strtok(NULL, " "))
			f[k++] = tok;
		if (k == 2 && !strcmp(f[0], "lpatch") && f[1][0] == '/')
			*lpatch = f[1];
		else if (k == 4 && !strcmp(f[0], "patch") && n < MAX_PATCHES)
			w[n++] = (struct want){ f[1], f[2], false };
	}
	return n;
}

/*
 * Leave why this process was not patched where `lpatch ps` finds it: a page
 * of a memory file whose name shows in /proc/PID/maps. Best effort.
 */
static void mark(const char *why, const char *detail)
{
	char name[200] = "lpatch-unpatched:";
	size_t len = strlen(name);
	int fd;

	for (const char *p = why; *p && len < sizeof(name) - 1; p++)
		name[len++] = *p;
	if (detail && *detail && len < sizeof(name) - 2) {
		name[len++] = ':';
		for (const char *p = detail; *p && *p != '\n' && len < sizeof(name) - 1; p++)
			name[len++] = (*p == ' ' || *p == '/' || (unsigned char)*p < 0x20) ? '_' : *p;
	}
	name[len] = '\0';
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return;
	if (!ftruncate(fd, 4096))
		mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);	/* stays until exit */
	close(fd);
}

/* "Seccomp:" of /proc/self/status: 0 none, 1 strict, 2 filter; -1 unknown. */
static int seccomp_mode(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nSeccomp:");
	return p ? atoi(p + 9) : -1;
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Read what lpatch says on fd until it closes, for at most timeout_ms,
 * keeping the first line in err. A NUL byte ends the text; the byte after it
 * is lpatch's exit code, into *status (the service's answer; lpatch-hook's
 * stderr has none: *status stays -1). false when the time ran out.
 */
static bool read_reply(int fd, int timeout_ms, char *err, size_t errlen, int *status)
{
	uint64_t deadline = ms_now() + (uint64_t)timeout_ms;
	bool text_done = false;
	size_t got = 0;

	err[0] = '\0';
	*status = -1;
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		uint64_t now = ms_now();
		char buf[512];
		ssize_t r;

		if (now >= deadline)
			return false;
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return true;
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return true;	/* closed: done, or died */
		for (ssize_t k = 0; k < r; k++) {
			if (text_done) {
				*status = (unsigned char)buf[k];
				return true;
			}
			if (!buf[k])
				text_done = true;
			else if (got < errlen - 1 && !memchr(err, '\n', got))
				err[got++] = buf[k];
			err[got] = '\0';
		}
	}
}

/*
 * Ask the resident service to apply the matched patches: "apply NAME...\n";
 * the answer is its error text, a NUL byte and the exit code. 1: no service
 * listens (the caller runs lpatch itself); 0: applied; -1: not, err says why.
 */
static int ask_service(const char *dir, struct want *w, int n, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t dl = strlen(dir), len = 0;
	char req[MAX_PATCHES * 72 + 8];
	int fd, status = -1;

	if (dl + sizeof(SERVICE_SOCKET) > sizeof(sa.sun_path))
		return 1;
	memcpy(sa.sun_path, dir, dl);
	memcpy(sa.sun_path + dl, SERVICE_SOCKET, sizeof(SERVICE_SOCKET));
	memcpy(req, "apply", 5);
	len = 5;
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(w[i].name);

		if (!w[i].hit)
			continue;
		if (len + nl + 2 > sizeof(req))
			return 1;
		req[len++] = ' ';
		memcpy(req + len, w[i].name, nl);
		len += nl;
	}
	req[len++] = '\n';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return 1;	/* none listens (no file, or a stale one): run lpatch */
	}
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(fd);
		return 1;
	}
	/* the service's worker gives up after 5 s; a little more here */
	if (!read_reply(fd, APPLY_TIMEOUT_MS + 500, err, errlen, &status))
		snprintf(err, errlen, "the lpatch-hook service took longer than %d ms",
			 APPLY_TIMEOUT_MS);
	close(fd);
	if (status == 0) {
		err[0] = '\0';
		return 0;
	}
	if (status > 0 && !err[0])
		snprintf(err, errlen, "the lpatch-hook service exited with status %d", status);
	else if (status < 0 && !err[0])
		snprintf(err, errlen, "the lpatch-hook service stopped before it answered");
	return -1;
}

/* Run lpatch hook-apply PID FILE... and wait for it; its first error line into err. */
static int run_lpatch(const char *lpatch, const char *dir, struct want *w, int n,
		      char *err, size_t errlen)
{
	static char files[MAX_PATCHES][MAX_PATH];
	char pidbuf[16], *argv[MAX_PATCHES + 4], *envp[] = { CHILD_ENV, NULL };
	int out[2] = { -1, -1 }, go[2] = { -1, -1 }, argc = 0, status = 0, rc = -1, no_status;
	posix_spawn_file_actions_t fa;
	pid_t child;
	int i;

	err[0] = '\0';
	for (i = 0, argc = 3; i < n; i++) {
		size_t dl = strlen(dir), nl = strlen(w[i].name);

		if (!w[i].hit)
			continue;
		if (dl + nl + 9 >= MAX_PATH)
			return -1;
		memcpy(files[argc - 3], dir, dl);
		files[argc - 3][dl] = '/';
		memcpy(files[argc - 3] + dl + 1, w[i].name, nl);
		memcpy(files[argc - 3] + dl + 1 + nl, ".lpatch", 8);
		argv[argc] = files[argc - 3];
		argc++;
	}
	argv[argc] = NULL;
	argv[0] = (char *)"lpatch";
	argv[1] = (char *)"hook-apply";
	/* the pid: lpatch takes it as --pid would */
	{
		char tmp[16];
		int k = 0;
		unsigned v = (unsigned)getpid();

		do
			tmp[k++] = (char)('0' + v % 10);
		while ((v /= 10));
		for (int j = 0; j < k; j++)
			pidbuf[j] = tmp[k - 1 - j];
		pidbuf[k] = '\0';
	}
	argv[2] = pidbuf;

	if (pipe2(out, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		goto out;
	if (posix_spawn_file_actions_init(&fa))
		goto out;
	/* stdin and stdout: /dev/null; stderr: to us; fd 3: "go" once we allowed the trace */
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	posix_spawn_file_actions_adddup2(&fa, go[0], 3);
	i = posix_spawn(&child, lpatch, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(go[0]);
	out[1] = go[0] = -1;
	if (i) {
		snprintf(err, errlen, "cannot run %s", lpatch);
		goto out;
	}
	/* Yama (ptrace_scope 1) lets only a named process trace its parent. */
	prctl(PR_SET_PTRACER, (unsigned long)child, 0, 0, 0);
	close(go[1]);
	go[1] = -1;
	if (!read_reply(out[0], APPLY_TIMEOUT_MS, err, errlen, &no_status)) {
		kill(child, SIGKILL);
		snprintf(err, errlen, "lpatch took longer than %d ms", APPLY_TIMEOUT_MS);
	}
	while ((i = waitpid(child, &status, 0)) < 0 && errno == EINTR)
		;
	prctl(PR_SET_PTRACER, 0, 0, 0, 0);
	if (i < 0)	/* SIGCHLD ignored: reaped for us; what lpatch wrote tells */
		rc = err[0] ? -1 : 0;
	else
		rc = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
	if (rc && !err[0])
		snprintf(err, errlen, "lpatch exited with status %#x", (unsigned)status);
	if (rc == 0)
		err[0] = '\0';
out:
	for (i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	return rc;
}

static void hook(void)
{
	static char index[65536];
	static struct want w[MAX_PATCHES];
	char dir[MAX_PATH], path[MAX_PATH + 16], err[160];
	const char *lpatch, *slash, *why = NULL;
	struct scan sc = { w, 0, 0 };
	Dl_info info;
	ssize_t len;
	int fd;

	if (getenv("LPATCH_HOOK_CHILD"))
		return;
	/* ROOT/user: where this library was loaded from */
	if (!dladdr((void *)hook, &info) || !info.dli_fname || !(slash = strrchr(info.dli_fname, '/')) ||
	    (size_t)(slash - info.dli_fname) >= sizeof(dir))
		return;
	memcpy(dir, info.dli_fname, (size_t)(slash - info.dli_fname));
	dir[slash - info.dli_fname] = '\0';
	memcpy(path, dir, strlen(dir));
	memcpy(path + strlen(dir), "/index", 7);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	len = read(fd, index, sizeof(index) - 1);
	close(fd);
	if (len <= 0)
		return;
	index[len] = '\0';
	if (strncmp(index, INDEX_MAGIC, strlen(INDEX_MAGIC)))
		return;
	sc.n = parse_index(index, &lpatch, w);
	if (!sc.n || !lpatch)
		return;
	dl_iterate_phdr(each_object, &sc);
	if (!sc.hits)
		return;

	/* Patch this process: is it safe to try? */
	if (getauxval(AT_SECURE))
		why = "setuid";	/* setuid, setgid or file capabilities: never run lpatch for it */
	else if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
		why = "not-dumpable";
	else if (prctl(PR_GET_MDWE, 0, 0, 0, 0) > 0)
		why = "memory-deny-write-execute";
	else if (seccomp_mode() != 0)
		why = "seccomp";	/* a filter may kill the process at fork or exec: not even tried */
	if (why) {
		if (strcmp(why, "seccomp"))
			mark(why, NULL);	/* seccomp: `lpatch ps` reads it in /proc/PID/status */
		return;
	}
	switch (ask_service(dir, w, sc.n, err, sizeof(err))) {
	case 0:
		return;
	case 1:		/* no service: start lpatch-hook */
		if (run_lpatch(lpatch, dir, w, sc.n, err, sizeof(err)))
			mark("failed", err);
		return;
	default:
		mark("failed", err);
	}
}

__attribute__((constructor)) static void lpatch_preload(void)
{
	int saved = errno;

	hook();
	errno = saved;
}
