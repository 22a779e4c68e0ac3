/* Reading .lpatch files: an ELF relocatable object with a .lpatch.meta section. */
#include "user/patchfile.h"

#include "util/log.h"
#include "util/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool patch_name_valid(const char *name)
{
	return *name && strlen(name) <= PATCH_NAME_MAX && !strchr(name, '/') &&
	       !strpbrk(name, " \t\n");
}

static int parse_func(struct user_patch *pf, const char *val, int lineno)
{
	char name[512];
	unsigned long long addr, size;
	struct patch_func *f;

	if (sscanf(val, "%511s %llx %llu", name, &addr, &size) != 3) {
		lp_err("%s: .lpatch.meta line %d: expected `func=NAME ADDRESS SIZE`, got `func=%s`",
		       pf->path, lineno, val);
		return -1;
	}
	f = ARRAY_PUSH(pf->funcs, pf->nfuncs, pf->funcap);
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->addr = addr;
	f->size = size;
	return 0;
}

static int parse_ref(struct user_patch *pf, const char *val, int lineno)
{
	char name[512], type[16] = "";
	unsigned long long addr;
	struct patch_ref *r;

	if (sscanf(val, "%511s %llx %15s", name, &addr, type) < 2 ||
	    (*type && strcmp(type, "func") && strcmp(type, "object") && strcmp(type, "tls"))) {
		lp_err("%s: .lpatch.meta line %d: expected `ref=NAME ADDRESS [func|object|tls]`, got "
		       "`ref=%s`", pf->path, lineno, val);
		return -1;
	}
	r = ARRAY_PUSH(pf->refs, pf->nrefs, pf->refcap);
	r->name = xstrdup(name);
	r->addr = addr;
	r->type = type[0];
	return 0;
}

/* cold=NAME ADDRESS SIZE, after NAME's func= line */
static int parse_cold(struct user_patch *pf, const char *val, int lineno)
{
	char name[512];
	unsigned long long addr, size;

	if (sscanf(val, "%511s %llx %llu", name, &addr, &size) != 3) {
		lp_err("%s: .lpatch.meta line %d: expected `cold=NAME ADDRESS SIZE`, got `cold=%s`",
		       pf->path, lineno, val);
		return -1;
	}
	for (size_t i = 0; i < pf->nfuncs; i++) {
		if (strcmp(pf->funcs[i].name, name))
			continue;
		pf->funcs[i].cold_addr = addr;
		pf->funcs[i].cold_size = size;
		return 0;
	}
	lp_err("%s: .lpatch.meta line %d: cold=%s comes before a func=%s line", pf->path, lineno,
	       name, name);
	return -1;
}

/* A key lpatch writes once: a second one is a corrupt file, not an update. */
static int set_once(struct user_patch *pf, char **field, const char *key, const char *value,
		    int lineno)
{
	if (*field) {
		lp_err("%s: .lpatch.meta line %d repeats %s= (%s, then %s)", pf->path, lineno, key,
		       *field, value);
		return -1;
	}
	*field = xstrdup(value);
	return 0;
}

static int parse_meta(struct user_patch *pf, const char *text, size_t len)
{
	char *copy = xstrndup(text, len), *save = NULL;
	int lineno = 0, format = 0, rc = 0;

	for (char *line = strtok_r(copy, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		lineno++;
		if (!*line || *line == '#')
			continue;
		if (!eq) {
			lp_err("%s: .lpatch.meta line %d is not key=value: %s", pf->path, lineno, line);
			rc = -1;
			break;
		}
		*eq++ = '\0';
		if (!strcmp(line, "format"))
			format = atoi(eq);
		else if (!strcmp(line, "name"))
			rc = set_once(pf, &pf->name, line, eq, lineno);
		else if (!strcmp(line, "build-id"))
			rc = set_once(pf, &pf->build_id, line, eq, lineno);
		else if (!strcmp(line, "object"))
			rc = set_once(pf, &pf->object, line, eq, lineno);
		else if (!strcmp(line, "func"))
			rc = parse_func(pf, eq, lineno);
		else if (!strcmp(line, "ref"))
			rc = parse_ref(pf, eq, lineno);
		else if (!strcmp(line, "cold"))
			rc = parse_cold(pf, eq, lineno);
		/* unknown keys are for newer runtimes: ignored */
	}
	free(copy);
	if (rc)
		return -1;
	if (format != 1) {
		lp_err("%s: patch format %d; this lpatch reads format 1", pf->path, format);
		return -1;
	}
	if (!pf->name || !pf->build_id || !pf->object || !pf->nfuncs) {
		lp_err("%s: .lpatch.meta lacks %s", pf->path,
		       !pf->name ? "name=" : !pf->build_id ? "build-id=" : !pf->object ? "object=" : "func= lines");
		return -1;
	}
	if (!patch_name_valid(pf->name)) {
		lp_err("%s: patch name `%s` must be at most %d characters, without / or spaces",
		       pf->path, pf->name, PATCH_NAME_MAX);
		return -1;
	}
	return 0;
}

int patch_open(const char *path, struct user_patch *pf)
{
	struct section *meta;

	memset(pf, 0, sizeof(*pf));
	pf->path = xstrdup(path);
	pf->ef = elf_open(path, 0);
	if (!pf->ef)
		goto fail;
	if (pf->ef->ehdr.e_type != ET_REL || pf->ef->ehdr.e_machine != EM_X86_64) {
		lp_err("%s: not a process patch (an x86-64 relocatable object is expected)", path);
		goto fail;
	}
	meta = elf_find_section(pf->ef, ".lpatch.meta");
	if (!meta || !elf_section_data(meta)) {
		lp_err("%s: no .lpatch.meta section: not a process patch", path);
		lp_hint("process patches are made by `lpatch build --user`");
		goto fail;
	}
	if (parse_meta(pf, (const char *)meta->data, meta->size))
		goto fail;
	for (size_t i = 0; i < pf->nfuncs; i++) {
		struct patch_func *f = &pf->funcs[i];
		struct symbol *sym = elf_find_symbol(pf->ef, f->name);

		if (!sym || sym->type != STT_FUNC || !sym->sec) {
			lp_err("%s: replaces %s but defines no function of that name", path, f->name);
			goto fail;
		}
		f->sym = sym;
	}
	return 0;
fail:
	patch_close(pf);
	return -1;
}

void patch_close(struct user_patch *pf)
{
	if (pf->ef)
		elf_close(pf->ef);
	for (size_t i = 0; i < pf->nfuncs; i++)
		free(pf->funcs[i].name);
	free(pf->funcs);
	for (size_t i = 0; i < pf->nrefs; i++)
		free(pf->refs[i].name);
	free(pf->refs);
	free(pf->name);
	free(pf->build_id);
	free(pf->object);
	free(pf->path);
	memset(pf, 0, sizeof(*pf));
}
