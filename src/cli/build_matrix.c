/* lpatch build over several targets: one module per release, and the matrix of results. */
#include "cli/cli.h"

#include "kernel/matrix.h"
#include "target/target.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_json(const struct matrix *m, const char *name)
{
	struct strbuf sb = {0};
	struct json j;
	size_t count[MATRIX_FAILED + 1] = {0};

	json_init(&j, &sb, JSON_PRETTY);
	json_obj_begin(&j);
	json_kstr(&j, "name", name);
	json_kstr(&j, "output", m->outdir);
	json_karr_begin(&j, "patches");
	for (size_t i = 0; i < m->npatches; i++)
		json_str(&j, m->patches[i]);
	json_arr_end(&j);
	json_karr_begin(&j, "releases");
	for (size_t i = 0; i < m->nspecs; i++) {
		const struct matrix_row *r = &m->rows[i];

		count[r->result]++;
		json_obj_begin(&j);
		json_kstr(&j, "spec", r->spec);
		json_kstr(&j, "release", r->release);
		json_kstr(&j, "version", r->version);
		json_kstr(&j, "result", matrix_result_name(r->result));
		json_kstr(&j, "reason", r->reason);
		json_kstr(&j, "module", r->module);
		json_kstr(&j, "log", r->log);
		json_key(&j, "seconds");
		json_fixed(&j, r->seconds, 1);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kobj_begin(&j, "counts");
	for (int k = 0; k <= MATRIX_FAILED; k++)
		json_kuint(&j, matrix_result_name((enum matrix_result)k), count[k]);
	json_obj_end(&j);
	json_obj_end(&j);
	json_print(&j);
	sb_free(&sb);
}

static void print_table(const struct matrix *m)
{
	int wr = (int)strlen("RELEASE"), wv = (int)strlen("VERSION");
	size_t count[MATRIX_FAILED + 1] = {0};
	struct strbuf sum = {0};

	for (size_t i = 0; i < m->nspecs; i++) {
		const struct matrix_row *r = &m->rows[i];
		int lr = (int)strlen(r->release ? r->release : r->spec);
		int lv = (int)strlen(r->version ? r->version : "-");

		wr = lr > wr ? lr : wr;
		wv = lv > wv ? lv : wv;
	}
	printf("%-*s  %-*s  %-13s  %5s  %s\n", wr, "RELEASE", wv, "VERSION", "RESULT", "TIME",
	       "REASON");
	for (size_t i = 0; i < m->nspecs; i++) {
		const struct matrix_row *r = &m->rows[i];

		count[r->result]++;
		printf("%-*s  %-*s  %-13s  %4.0fs  %s\n", wr, r->release ? r->release : r->spec, wv,
		       r->version ? r->version : "-", matrix_result_name(r->result), r->seconds,
		       r->reason);
	}
	for (int k = 0; k <= MATRIX_FAILED; k++)
		if (count[k])
			sb_addf(&sum, ", %zu %s", count[k], matrix_result_name((enum matrix_result)k));
	printf("%zu release%s%s; modules and logs in %s\n", m->nspecs, m->nspecs == 1 ? "" : "s",
	       sum.buf ? sum.buf : "", m->outdir);
	sb_free(&sum);
}

int build_matrix(char **targets, size_t ntargets, char **patches, size_t npatches,
		 const char *outdir, const struct klp_meta *meta, bool no_verify,
		 unsigned jobs, bool json)
{
	struct matrix m = {0};
	char **specs = NULL;
	size_t nspecs = 0, cap = 0;
	int ret = LP_EXIT_REFUSED, c;

	for (size_t i = 0; i < ntargets; i++) {
		c = target_expand(targets[i], &specs, &nspecs, &cap);
		if (c) {
			ret = lp_exit_code(c, LP_EXIT_FAIL);
			goto out;
		}
	}
	/* the same release named twice would be built twice into one place */
	for (size_t i = 0; i < nspecs; i++)
		for (size_t k = i + 1; k < nspecs; k++)
			if (!strcmp(specs[i], specs[k])) {
				free(specs[k]);
				memmove(&specs[k], &specs[k + 1], (nspecs - k - 1) * sizeof(char *));
				nspecs--;
				k--;
			}
	m.specs = specs;
	m.nspecs = nspecs;
	m.patches = patches;
	m.npatches = npatches;
	m.outdir = outdir;
	m.meta = *meta;
	m.no_verify = no_verify;
	m.jobs = jobs;
	if (kernel_matrix(&m)) {
		ret = LP_EXIT_FAIL;
		goto out;
	}
	if (json)
		print_json(&m, meta->name);
	else
		print_table(&m);
	ret = matrix_exit_code(&m);
out:
	matrix_free(&m);
	for (size_t i = 0; i < nspecs; i++)
		free(specs[i]);
	free(specs);
	return ret;
}
