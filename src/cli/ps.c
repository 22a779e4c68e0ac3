/* lpatch ps: the processes with patches applied, and what each patch changed. */
#include "cli/cli.h"

#include "host/store.h"
#include "host/ustore.h"
#include "user/maps.h"
#include "user/session.h"
#include "user/state.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	printf("usage: lpatch ps [--pid PID] [--root DIR] [--json]\n\n"
	       "List the processes with patches applied: for each, the patches (newest last),\n"
	       "the object each one patches, and its functions (old address -> new address).\n"
	       "A function whose jump belongs to a newer patch is marked (overridden).\n"
	       "Then the processes that map the target object of an installed process patch\n"
	       "(`lpatch install --user`) but do not have it, each with the reason (a static\n"
	       "binary, setuid, a seccomp filter, MemoryDenyWriteExecute, no ptrace\n"
	       "permission, started before the install, or the start-up hook's error).\n\n"
	       "options:\n"
	       "  --pid PID   only this process\n"
	       "  --root DIR  the store of installed patches (default $LPATCH_ROOT, else\n"
	       "              /var/lib/lpatch)\n"
	       "  --json      one JSON array: [{pid, comm, patches: [{name, object, build_id,\n"
	       "              state, seq, base, applied_at, functions: [{name, old, new, live}]}],\n"
	       "              unpatched: [{name, object, reason}]}]\n");
}

struct unpatched {
	const char *name, *object;
	char *reason;
};

static void show(pid_t pid, const struct applied *a, size_t n, const struct unpatched *u,
		 size_t nu, struct json *json)
{
	char buf[THREAD_COMM_SIZE];
	const char *comm = thread_comm(pid, pid, buf);

	if (json) {
		json_obj_begin(json);
		json_kint(json, "pid", pid);
		json_kstr(json, "comm", comm);
		json_karr_begin(json, "patches");
	} else if (n) {
		printf("process %d (%s)\n", (int)pid, comm);
	}
	for (size_t i = 0; i < n; i++) {
		const struct lp_region_hdr *h = a[i].hdr;
		const char *state = region_state_name(h->state);

		if (json) {
			json_obj_begin(json);
			json_kstr(json, "name", h->name);
			json_kstr(json, "object", h->object);
			json_kstr(json, "build_id", h->build_id);
			json_kstr(json, "state", state);
			json_kuint(json, "seq", h->seq);
			json_key(json, "base");
			json_strf(json, "%#llx", (unsigned long long)a[i].base);
			json_kuint(json, "applied_at", h->applied_at);
			json_karr_begin(json, "functions");
		} else {
			time_t t = (time_t)h->applied_at;
			char when[32];
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
			printf("  patch %s (%s, #%llu, %s) at %#llx: %s\n", h->name, state,
			       (unsigned long long)h->seq, when, (unsigned long long)a[i].base, h->object);
		}
		for (uint32_t k = 0; k < h->nfuncs; k++) {
			const struct lp_region_func *f = &h->funcs[k];
			/* what the code in memory says, whatever the record says */
			bool live = state_func_live(pid, f);

			if (json) {
				json_obj_begin(json);
				json_kstr(json, "name", region_func_name(h, f));
				json_key(json, "old");
				json_strf(json, "%#llx", (unsigned long long)f->old_addr);
				json_key(json, "new");
				json_strf(json, "%#llx", (unsigned long long)f->new_addr);
				json_kbool(json, "live", live);
				json_obj_end(json);
			} else {
				printf("    %-32s %#llx -> %#llx%s\n", region_func_name(h, f),
				       (unsigned long long)f->old_addr, (unsigned long long)f->new_addr,
				       live || !region_live(h) ? "" : h->state == REGION_ACTIVE ?
				       " (overridden)" : " (not switched)");
			}
		}
		if (json) {
			json_arr_end(json);
			json_obj_end(json);
		}
	}
	if (json) {
		json_arr_end(json);
		json_karr_begin(json, "unpatched");
	}
	for (size_t i = 0; i < nu; i++) {
		if (json) {
			json_obj_begin(json);
			json_kstr(json, "name", u[i].name);
			json_kstr(json, "object", u[i].object);
			json_kstr(json, "reason", u[i].reason);
			json_obj_end(json);
		} else {
			printf("process %d (%s) maps %s but is not patched with %s: %s\n", (int)pid,
			       comm, u[i].object, u[i].name, u[i].reason);
		}
	}
	if (json) {
		json_arr_end(json);
		json_obj_end(json);
	}
}

/* A "Key:" number of /proc/PID/status, or -1. */
static long status_field(pid_t pid, const char *key)
{
	char path[64], *line = NULL;
	size_t cap = 0, kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "re")))
		return -1;
	while (getline(&line, &cap, f) > 0)
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	free(line);
	fclose(f);
	return v;
}

/* AT_SECURE of the process's auxiliary vector: 1, 0, or -1 unreadable. */
static int at_secure(pid_t pid)
{
	char path[64];
	Elf64_auxv_t av[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, av, sizeof(av));
	close(fd);
	for (ssize_t i = 0; i < n / (ssize_t)sizeof(av[0]) && av[i].a_type != AT_NULL; i++)
		if (av[i].a_type == AT_SECURE)
			return av[i].a_un.a_val != 0;
	return n < 0 ? -1 : 0;
}

/* When the process started, in seconds since the epoch (0 unknown). */
static double started_at(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0;
	double btime = 0;
	size_t got;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	got = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[got] = '\0';
	/* after the command name's ")": state is field 3, starttime field 22 */
	if (!(p = strrchr(buf, ')')) ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d "
		   "%*d %llu", &ticks) != 1)
		return 0;
	if (!(f = fopen("/proc/stat", "re")))
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %lf", &btime) == 1)
			break;
	fclose(f);
	return btime ? btime + (double)ticks / (double)sysconf(_SC_CLK_TCK) : 0;
}

/* Why pid, which maps e's object, does not have patch e (caller frees). */
static char *why_unpatched(pid_t pid, const struct proc_maps *pm, const struct ustore_entry *e,
			   const char *root)
{
	const char *mark = "/memfd:lpatch-unpatched:";
	bool loader = false;
	char *file, path[64];
	struct stat st;
	double start;
	long seccomp;
	int fd;

	/* what the start-up hook left (src/hook/preload.c) */
	for (size_t i = 0; i < pm->n; i++) {
		const char *p = pm->m[i].path;
		size_t len;

		loader |= strstr(p, "/ld-linux") != NULL;
		if (strncmp(p, mark, strlen(mark)))
			continue;
		p += strlen(mark);
		len = strcspn(p, " ");
		if (!strncmp(p, "setuid", len))
			return xstrdup("setuid, setgid or file capabilities (AT_SECURE): lpatch is not run "
				       "for it at start");
		if (!strncmp(p, "not-dumpable", len))
			return xstrdup("no ptrace permission: the process is not dumpable");
		if (!strncmp(p, "memory-deny-write-execute", len))
			return xstrdup("MemoryDenyWriteExecute (PR_SET_MDWE): new code cannot be mapped "
				       "executable");
		if (!strncmp(p, "failed:", 7))
			return xasprintf("the start-up hook's lpatch failed: %.*s", (int)len - 7, p + 7);
		if (!strncmp(p, "failed", len))
			return xstrdup("the start-up hook's lpatch failed");
	}
	if (!loader)
		return xstrdup("static binary: no dynamic loader runs the start-up hook");
	if ((seccomp = status_field(pid, "Seccomp")) > 0)
		return xasprintf("seccomp filter (Seccomp: %ld; e.g. systemd's SystemCallFilter= or "
				 "MemoryDenyWriteExecute=): lpatch is not run for it at start", seccomp);
	if (at_secure(pid) == 1)
		return xstrdup("setuid, setgid or file capabilities (AT_SECURE): lpatch is not run "
			       "for it at start");
	file = ustore_patch_path(root, e->name);
	start = started_at(pid);
	if (!stat(file, &st) && start && start < (double)st.st_mtim.tv_sec +
	    st.st_mtim.tv_nsec / 1e9) {
		char *r = xasprintf("started before the patch was installed: `lpatch apply --pid %d "
				    "%s` patches it", (int)pid, file);
		free(file);
		return r;
	}
	free(file);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && (errno == EACCES || errno == EPERM))
		return xstrdup("no ptrace permission for this user");
	if (fd >= 0)
		close(fd);
	return xasprintf("not patched at start, and no reason left by the start-up hook (is %s "
			 "named in %s?)", USTORE_HOOK, LD_SO_PRELOAD);
}

/*
 * 1 when pid has patches, 0 when none, -1 unreadable; shown with the
 * installed patches it maps the object of but does not have (*unpatched).
 */
static int one(pid_t pid, const struct ustore *st, const char *root, struct json *json,
	       size_t *unpatched)
{
	struct proc_maps pm;
	struct applied *a;
	struct unpatched *u = NULL;
	size_t n, nu = 0, ucap = 0, shown = 0;

	if (maps_read(pid, &pm))
		return -1;
	state_scan(&pm, &a, &n);
	/* reverted regions stay mapped for the program's pointers, but are no patch of it:
	 * moved past the ones shown (state_free still frees all n) */
	for (size_t i = 0, k = 0; i < n; i++)
		if (a[i].hdr->state != REGION_REVERTED) {
			struct applied t = a[k];

			a[k++] = a[i];
			a[i] = t;
			shown = k;
		}
	for (size_t i = 0; i < st->n; i++) {
		const struct ustore_entry *e = &st->e[i];
		const struct proc_object *o = maps_object_named(&pm, e->object);
		bool has = false;

		/* loaded to run (lpatch itself maps objects it reads, not executable) */
		if (!o || o->exec_hi <= o->exec_lo || !o->build_id || strcmp(o->build_id, e->build_id))
			continue;
		for (size_t k = 0; k < n; k++)
			has |= region_live(a[k].hdr) && !strcmp(a[k].hdr->name, e->name);
		if (!has)
			*ARRAY_PUSH(u, nu, ucap) = (struct unpatched){ e->name, e->object,
								       why_unpatched(pid, &pm, e, root) };
	}
	if (shown || nu)
		show(pid, a, shown, u, nu, json);
	*unpatched += nu;
	for (size_t i = 0; i < nu; i++)
		free(u[i].reason);
	free(u);
	state_free(a, n);
	maps_free(&pm);
	return shown > 0;
}

int cmd_ps(int argc, char **argv)
{
	struct strbuf out = { 0 };
	struct json json;
	bool as_json = false;
	unsigned pid = 0;
	const char *root_opt = NULL;
	char *root;
	struct ustore st;
	size_t unpatched = 0;
	const struct cli_opt opts[] = {
		{ "--pid", .num = &pid, .min = 1, .max = INT_MAX, .what = "a process id" },
		{ "--root", .str = &root_opt },
		{ "--json", .flag = &as_json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "ps", usage, opts, .max_args = 0 };
	int found = 0, r = cli_parse(&cmd, argc, argv, NULL);

	if (r != CLI_GO_ON)
		return r;
	root = store_root(root_opt);
	if (ustore_read(root, &st))
		memset(&st, 0, sizeof(st));	/* said; the applied patches are listed all the same */
	json_init(&json, &out, JSON_COMPACT);
	if (as_json)
		json_arr_begin(&json);
	if (pid) {
		found = one((pid_t)pid, &st, root, as_json ? &json : NULL, &unpatched);
		if (found < 0) {
			lp_err("cannot read process %u", pid);
			sb_free(&out);
			ustore_free(&st);
			free(root);
			return LP_EXIT_FAIL;
		}
	} else {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (isdigit((unsigned char)de->d_name[0]) && atoi(de->d_name) != getpid())
				found += one((pid_t)atoi(de->d_name), &st, root, as_json ? &json : NULL,
					     &unpatched) > 0;
		if (d)
			closedir(d);
	}
	if (as_json) {
		json_arr_end(&json);
		json_print(&json);
	} else if (!found) {
		printf("no process has a patch applied\n");
	}
	ustore_free(&st);
	free(root);
	return LP_EXIT_OK;
}
