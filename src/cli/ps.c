/* lpatch ps: the processes with patches applied, and what each patch changed. */
#include "cli/cli.h"

#include "user/maps.h"
#include "user/session.h"
#include "user/state.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	printf("usage: lpatch ps [--pid PID] [--json]\n\n"
	       "List the processes with patches applied: for each, the patches (newest last),\n"
	       "the object each one patches, and its functions (old address -> new address).\n"
	       "A function whose jump belongs to a newer patch is marked (overridden).\n\n"
	       "options:\n"
	       "  --pid PID   only this process\n"
	       "  --json      one JSON array: [{pid, comm, patches: [{name, object, build_id,\n"
	       "              state, seq, base, applied_at, functions: [{name, old, new, live}]}]}]\n");
}

static void show(pid_t pid, const struct applied *a, size_t n, struct json *json)
{
	char buf[THREAD_COMM_SIZE];
	const char *comm = thread_comm(pid, pid, buf);

	if (json) {
		json_obj_begin(json);
		json_kint(json, "pid", pid);
		json_kstr(json, "comm", comm);
		json_karr_begin(json, "patches");
	} else {
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
		json_obj_end(json);
	}
}

/* 1 when pid has patches (shown), 0 when none, -1 unreadable. */
static int one(pid_t pid, struct json *json)
{
	struct proc_maps pm;
	struct applied *a;
	size_t n;

	if (maps_read(pid, &pm))
		return -1;
	state_scan(&pm, &a, &n);
	if (n)
		show(pid, a, n, json);
	state_free(a, n);
	maps_free(&pm);
	return n > 0;
}

int cmd_ps(int argc, char **argv)
{
	struct strbuf out = { 0 };
	struct json json;
	bool as_json = false;
	unsigned pid = 0;
	const struct cli_opt opts[] = {
		{ "--pid", .num = &pid, .min = 1, .max = INT_MAX, .what = "a process id" },
		{ "--json", .flag = &as_json },
		{ NULL },
	};
	const struct cli_cmd cmd = { "ps", usage, opts, .max_args = 0 };
	int found = 0, r = cli_parse(&cmd, argc, argv, NULL);

	if (r != CLI_GO_ON)
		return r;
	json_init(&json, &out, JSON_COMPACT);
	if (as_json)
		json_arr_begin(&json);
	if (pid) {
		found = one((pid_t)pid, as_json ? &json : NULL);
		if (found < 0) {
			lp_err("cannot read process %u", pid);
			sb_free(&out);
			return LP_EXIT_FAIL;
		}
	} else {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (isdigit((unsigned char)de->d_name[0]) && atoi(de->d_name) != getpid())
				found += one((pid_t)atoi(de->d_name), as_json ? &json : NULL) > 0;
		if (d)
			closedir(d);
	}
	if (as_json) {
		json_arr_end(&json);
		json_print(&json);
	} else if (!found) {
		printf("no process has a patch applied\n");
	}
	return LP_EXIT_OK;
}
