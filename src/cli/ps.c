/* lpatch ps: the processes with patches applied, and what each patch changed. */
#include "cli/cli.h"

#include "user/maps.h"
#include "user/session.h"
#include "user/state.h"
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

static void show(pid_t pid, const struct applied *a, size_t n, struct strbuf *json)
{
	const char *comm = thread_comm(pid, pid);

	if (json) {
		sb_addf(json, "%s{\"pid\":%d,\"comm\":", json->len > 1 ? "," : "", (int)pid);
		sb_add_json_str(json, comm);
		sb_add(json, ",\"patches\":[");
	} else {
		printf("process %d (%s)\n", (int)pid, comm);
	}
	for (size_t i = 0; i < n; i++) {
		const struct lp_region_hdr *h = a[i].hdr;
		const char *state = region_state_name(h->state);

		if (json) {
			sb_add(json, i ? ",{\"name\":" : "{\"name\":");
			sb_add_json_str(json, h->name);
			sb_add(json, ",\"object\":");
			sb_add_json_str(json, h->object);
			sb_add(json, ",\"build_id\":");
			sb_add_json_str(json, h->build_id);
			sb_addf(json, ",\"state\":\"%s\",\"seq\":%llu,\"base\":\"%#llx\",\"applied_at\":%llu,"
				"\"functions\":[", state, (unsigned long long)h->seq,
				(unsigned long long)a[i].base, (unsigned long long)h->applied_at);
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
				sb_add(json, k ? ",{\"name\":" : "{\"name\":");
				sb_add_json_str(json, region_func_name(h, f));
				sb_addf(json, ",\"old\":\"%#llx\",\"new\":\"%#llx\",\"live\":%s}",
					(unsigned long long)f->old_addr, (unsigned long long)f->new_addr,
					live ? "true" : "false");
			} else {
				printf("    %-32s %#llx -> %#llx%s\n", region_func_name(h, f),
				       (unsigned long long)f->old_addr, (unsigned long long)f->new_addr,
				       live || !region_live(h) ? "" : h->state == REGION_ACTIVE ?
				       " (overridden)" : " (not switched)");
			}
		}
		if (json)
			sb_add(json, "]}");
	}
	if (json)
		sb_add(json, "]}");
}

/* 1 when pid has patches (shown), 0 when none, -1 unreadable. */
static int one(pid_t pid, struct strbuf *json)
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
	struct strbuf json = { 0 };
	bool as_json = false;
	unsigned pid = 0;
	int found = 0;

	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;

		if (cli_is_help(argv[i])) {
			usage();
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			as_json = true;
		} else if ((v = cli_option(argc, argv, &i, "--pid", &missing))) {
			if (!cli_parse_uint(v, 1, INT_MAX, &pid))
				return cli_usage_error("ps", "--pid needs a process id, not '%s'", v);
		} else if (missing) {
			return cli_usage_error("ps", "%s needs a value", argv[i]);
		} else {
			return cli_usage_error("ps", "unknown argument %s", argv[i]);
		}
	}
	if (as_json)
		sb_add(&json, "[");
	if (pid) {
		found = one((pid_t)pid, as_json ? &json : NULL);
		if (found < 0) {
			lp_err("cannot read process %u", pid);
			sb_free(&json);
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
		sb_add(&json, "]");
		printf("%s\n", json.buf);
		sb_free(&json);
	} else if (!found) {
		printf("no process has a patch applied\n");
	}
	return LP_EXIT_OK;
}
