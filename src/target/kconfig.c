/* Reading and comparing kernel .config files. */
#include "target/kconfig.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

struct option {
	char *name;	/* without CONFIG_ */
	char *value;	/* "n" for "# CONFIG_X is not set" */
};

struct options {
	struct option *o;
	size_t n, cap;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct option *)a)->name, ((const struct option *)b)->name);
}

static void parse_line(struct options *opts, const char *l)
{
	const char *eq;
	struct option *o;

	if (str_starts(l, "CONFIG_") && (eq = strchr(l, '='))) {
		o = ARRAY_PUSH(opts->o, opts->n, opts->cap);
		o->name = xstrndup(l + 7, (size_t)(eq - l - 7));
		o->value = xstrdup(eq + 1);
	} else if (str_starts(l, "# CONFIG_") && str_ends(l, " is not set")) {
		o = ARRAY_PUSH(opts->o, opts->n, opts->cap);
		o->name = xstrndup(l + 9, strlen(l) - 9 - strlen(" is not set"));
		o->value = xstrdup("n");
	}
}

static int load(const char *path, struct options *opts)
{
	char *text = read_file(path, NULL), *save = NULL;

	memset(opts, 0, sizeof(*opts));
	if (!text)
		return -1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		parse_line(opts, l);
	free(text);
	qsort(opts->o, opts->n, sizeof(*opts->o), by_name);
	return 0;
}

static void release(struct options *opts)
{
	for (size_t i = 0; i < opts->n; i++) {
		free(opts->o[i].name);
		free(opts->o[i].value);
	}
	free(opts->o);
}

static const char *lookup(const struct options *opts, const char *name)
{
	struct option key = { .name = (char *)name };
	struct option *o = bsearch(&key, opts->o, opts->n, sizeof(key), by_name);

	return o ? o->value : NULL;
}

/* Options that follow the host's pahole (BTF generation) and not the code:
 * without pahole, DEBUG_INFO_BTF and what depends on it drop out. */
static bool tolerated(const char *name)
{
	return str_starts(name, "PAHOLE_") || str_starts(name, "DEBUG_INFO_BTF") ||
	       !strcmp(name, "MODULE_ALLOW_BTF_MISMATCH");
}

int config_diff(const char *want, const char *have, char **report)
{
	struct options w, h;
	struct strbuf sb = {0};
	int count = 0;

	if (report)
		*report = NULL;
	if (load(want, &w))
		return -1;
	if (load(have, &h)) {
		release(&w);
		return -1;
	}
	for (size_t i = 0; i < w.n; i++) {
		const char *name = w.o[i].name, *wv = w.o[i].value;
		const char *hv = lookup(&h, name);

		if (tolerated(name))
			continue;
		if (hv ? !strcmp(hv, wv) : !strcmp(wv, "n"))
			continue;
		if (++count <= 8)
			sb_addf(&sb, "  CONFIG_%s: %s in the target's config, %s in %s\n", name,
				wv, hv ? hv : "unset", have);
	}
	if (count > 8)
		sb_addf(&sb, "  ... and %d more\n", count - 8);
	release(&w);
	release(&h);
	if (report)
		*report = sb_take(&sb);
	else
		sb_free(&sb);
	return count;
}

char *config_value(const char *config, const char *name)
{
	struct options opts;
	const char *v;
	char *out = NULL;
	size_t n;

	if (load(config, &opts))
		return NULL;
	v = lookup(&opts, name);
	if (v && strcmp(v, "n")) {
		n = strlen(v);
		out = n >= 2 && v[0] == '"' && v[n - 1] == '"' ? xstrndup(v + 1, n - 2) : xstrdup(v);
	}
	release(&opts);
	return out;
}

char *config_cc(const char *config)
{
	char *text = config_value(config, "CC_VERSION_TEXT");
	char *cc = NULL;

	if (!text)
		return NULL;
	if (strstr(text, "clang"))
		cc = xstrdup("clang");
	else if (*text)
		cc = xstrndup(text, strcspn(text, " "));
	free(text);
	return cc;
}
