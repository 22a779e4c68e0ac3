/* One livepatch's metadata and functions: building and sorting. */
#include "host/patchinfo.h"

#include "util/fs.h"
#include "util/str.h"

#include <stdlib.h>
#include <string.h>

void patch_info_free(struct patch_info *pi)
{
	free(pi->name);
	free(pi->file);
	free(pi->vermagic);
	free(pi->target);
	free(pi->description);
	free(pi->patch_sha256);
	for (size_t i = 0; i < pi->ncves; i++)
		free(pi->cves[i]);
	free(pi->cves);
	for (size_t i = 0; i < pi->ndepends; i++)
		free(pi->depends[i]);
	free(pi->depends);
	for (size_t i = 0; i < pi->nfuncs; i++) {
		free(pi->funcs[i].object);
		free(pi->funcs[i].name);
	}
	free(pi->funcs);
	memset(pi, 0, sizeof(*pi));
	pi->replace = -1;
}

void patch_info_add_cve(struct patch_info *pi, const char *cve)
{
	for (size_t i = 0; i < pi->ncves; i++)
		if (!strcmp(pi->cves[i], cve))
			return;
	*ARRAY_PUSH(pi->cves, pi->ncves, pi->cvecap) = xstrdup(cve);
}

void patch_info_add_depends(struct patch_info *pi, const char *list)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		bool seen = false;

		for (size_t i = 0; n && i < pi->ndepends && !seen; i++)
			seen = strlen(pi->depends[i]) == n && !strncmp(pi->depends[i], p, n);
		if (n && !seen)
			*ARRAY_PUSH(pi->depends, pi->ndepends, pi->dependcap) = xstrndup(p, n);
		p += n;
		if (*p)
			p++;
	}
}

bool patch_info_set(struct patch_info *pi, const char *key, const char *value)
{
	char **once = NULL;

	if (!strcmp(key, "lpatch_target"))
		once = &pi->target;
	else if (!strcmp(key, "lpatch_patch_sha256"))
		once = &pi->patch_sha256;
	else if (!strcmp(key, "lpatch_replace"))
		pi->replace = !strcmp(value, "Y") || !strcmp(value, "1") || !strcmp(value, "true");
	else
		return false;
	/* the first value read stands */
	if (once && !*once)
		*once = xstrdup(value);
	return true;
}

void patch_info_add_func(struct patch_info *pi, const char *object, const char *name, long sympos)
{
	struct patch_func *f = ARRAY_PUSH(pi->funcs, pi->nfuncs, pi->funccap);

	f->object = xstrdup(object);
	f->name = xstrdup(name);
	/* as sysfs shows it: the 1-based position among same-name symbols; a
	 * klp_func's old_sympos 0 ("the only one") is position 1 */
	f->sympos = sympos > 0 ? sympos : 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_func(const void *a, const void *b)
{
	const struct patch_func *x = a, *y = b;
	int c = strcmp(x->object, y->object);

	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : (x->sympos > y->sympos) - (x->sympos < y->sympos);
}

void patch_info_sort(struct patch_info *pi)
{
	if (pi->ncves)
		qsort(pi->cves, pi->ncves, sizeof(*pi->cves), cmp_str);
	if (pi->nfuncs)
		qsort(pi->funcs, pi->nfuncs, sizeof(*pi->funcs), cmp_func);
}

char *patch_module_name(const char *name)
{
	const char *base = path_basename(name);
	char *s = str_ends(base, ".ko") ? xstrndup(base, strlen(base) - 3) : xstrdup(base);

	for (char *p = s; *p; p++)
		if (*p == '-')
			*p = '_';
	return s;
}

char *vermagic_release(const char *vermagic)
{
	return vermagic ? xstrndup(vermagic, strcspn(vermagic, " ")) : NULL;
}
