/* Symbol resolution against a running process's loaded objects. */
#include "user/resolve.h"

#include "util/log.h"
#include "util/str.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The file actually mapped (even if replaced or deleted on disk since). */
static struct elf_file *open_object(const struct proc_maps *pm, const struct proc_object *o)
{
	char *path = NULL;
	struct elf_file *ef;

	for (size_t i = 0; i < pm->n && !path; i++)
		if (pm->m[i].offset == 0 && pm->m[i].start == o->lo && !strcmp(pm->m[i].path, o->path))
			path = xasprintf("/proc/%d/map_files/%llx-%llx", (int)pm->pid,
					 (unsigned long long)pm->m[i].start,
					 (unsigned long long)pm->m[i].end);
	if (!path || access(path, R_OK)) {
		free(path);
		path = maps_object_open_path(pm, o);
	}
	ef = elf_open(path, ELF_OPEN_LAZY);
	free(path);
	return ef;
}

int resolver_init(struct resolver *r, const struct proc_maps *pm, const struct proc_object *target)
{
	char exe[64], link[4096];
	ssize_t n;
	char *bid;

	memset(r, 0, sizeof(*r));
	r->pm = pm;
	r->target = target;
	r->libs = xcalloc(pm->nobj ? pm->nobj : 1, sizeof(*r->libs));
	r->tef = open_object(pm, target);
	if (!r->tef) {
		lp_err("process %d: cannot read %s", (int)pm->pid, target->path);
		return -1;
	}
	bid = elf_build_id(r->tef);
	if (!bid || !target->build_id || strcmp(bid, target->build_id)) {
		lp_err("process %d: %s on disk (build-id %s) is not what the process loaded (%s)",
		       (int)pm->pid, target->path, bid ? bid : "none",
		       target->build_id ? target->build_id : "none");
		free(bid);
		return -1;
	}
	free(bid);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pm->pid);
	n = readlink(exe, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		r->target_is_main = !strcmp(link, target->path);
	}
	return 0;
}

void resolver_free(struct resolver *r)
{
	if (r->tef)
		elf_close(r->tef);
	for (size_t i = 0; r->libs && i < r->pm->nobj; i++)
		if (r->libs[i])
			elf_close(r->libs[i]);
	free(r->libs);
	memset(r, 0, sizeof(*r));
}

struct symbol *resolver_func_at(struct resolver *r, uint64_t addr)
{
	struct symbol *best = NULL;

	for (size_t i = 1; i < r->tef->nsym; i++) {
		struct symbol *s = r->tef->sym[i];
		if ((s->type == STT_FUNC || s->type == STT_GNU_IFUNC) && s->sec && s->s.st_value == addr)
			if (!best || (best->bind == STB_LOCAL && s->bind != STB_LOCAL))
				best = s;
	}
	return best;
}

/* Index of the STT_FILE symbol whose group holds symbol index idx (0 for globals). */
static size_t file_of(const struct elf_file *ef, size_t idx)
{
	if (ef->sym[idx]->bind != STB_LOCAL)
		return 0;
	for (size_t i = idx; i > 0; i--)
		if (ef->sym[i]->type == STT_FILE)
			return i;
	return 0;
}

void resolver_set_anchor(struct resolver *r, const struct symbol *func)
{
	r->anchor_file = func ? file_of(r->tef, func->index) : 0;
}

static uint64_t runtime(const struct resolver *r, const struct proc_object *o, uint64_t v)
{
	(void)r;
	return o->bias + v;
}

static int from_symtab(struct resolver *r, const char *name, struct resolution *out)
{
	struct symbol *pick = NULL;
	size_t nlocal = 0, nsame = 0;
	struct symbol *global = NULL, *same = NULL, *local = NULL;

	for (size_t i = 1; i < r->tef->nsym; i++) {
		struct symbol *s = r->tef->sym[i];
		if (!s->sec || s->type == STT_SECTION || s->type == STT_FILE || strcmp(s->name, name))
			continue;
		if (s->bind != STB_LOCAL) {
			global = s;
			continue;
		}
		nlocal++;
		local = s;
		if (r->anchor_file && file_of(r->tef, i) == r->anchor_file) {
			nsame++;
			same = s;
		}
	}
	if (nsame == 1)
		pick = same;
	else if (global)
		pick = global;
	else if (nlocal == 1)
		pick = local;
	else if (nlocal > 1) {
		lp_err("symbol %s: %zu static definitions in %s and none in the patched functions' "
		       "source file", name, nlocal, r->target->path);
		return -1;
	}
	if (!pick)
		return 1;
	memset(out, 0, sizeof(*out));
	out->where = r->target->path;
	out->is_func = pick->type == STT_FUNC;
	if (pick->type == STT_TLS) {
		if (!r->target_is_main || !r->target->has_tls) {
			lp_err("symbol %s: thread-local variables of shared libraries are not supported yet",
			       name);
			return -1;
		}
		out->kind = RES_TLS;
		out->tls_modid = 1;
		out->tls_offset = pick->s.st_value;
		/* x86-64 variant II: the executable's block ends at the thread pointer. */
		uint64_t block = (r->target->tls_memsz + r->target->tls_align - 1) &
				 ~(r->target->tls_align - 1);
		out->tls_tpoff = (int64_t)pick->s.st_value - (int64_t)block;
		return 0;
	}
	if (pick->type == STT_GNU_IFUNC) {
		lp_err("symbol %s: an IFUNC of %s itself; not supported", name, r->target->path);
		return -1;
	}
	out->kind = RES_ADDR;
	out->value = pick->s.st_shndx == SHN_ABS ? pick->s.st_value
						  : runtime(r, r->target, pick->s.st_value);
	return 0;
}

struct dyn {
	const Elf64_Sym *sym;
	size_t nsym;
	const char *str;
	const uint16_t *versym;
	struct section *verdef;
	struct elf_file *ef;
};

static int dyn_open(struct elf_file *ef, struct dyn *d)
{
	memset(d, 0, sizeof(*d));
	d->ef = ef;
	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *s = ef->sec[i];
		if (s->sh.sh_type == SHT_DYNSYM && s->sh.sh_link < ef->nsec) {
			d->sym = (const Elf64_Sym *)elf_section_data(s);
			d->nsym = s->size / sizeof(Elf64_Sym);
			d->str = (const char *)elf_section_data(ef->sec[s->sh.sh_link]);
		} else if (s->sh.sh_type == SHT_GNU_versym) {
			d->versym = (const uint16_t *)elf_section_data(s);
		} else if (s->sh.sh_type == SHT_GNU_verdef) {
			d->verdef = s;
		}
	}
	return d->sym && d->str ? 0 : -1;
}

/* Name of version index ndx in the object's verdef, or NULL. */
static const char *verdef_name(const struct dyn *d, unsigned ndx)
{
	const unsigned char *p;
	size_t off = 0;
	const char *str;

	if (!d->verdef || !(p = elf_section_data(d->verdef)) || d->verdef->sh.sh_link >= d->ef->nsec)
		return NULL;
	str = (const char *)elf_section_data(d->ef->sec[d->verdef->sh.sh_link]);
	while (str && off + sizeof(Elf64_Verdef) <= d->verdef->size) {
		const Elf64_Verdef *vd = (const Elf64_Verdef *)(p + off);
		if (vd->vd_ndx == ndx && vd->vd_aux) {
			const Elf64_Verdaux *va = (const Elf64_Verdaux *)(p + off + vd->vd_aux);
			return str + va->vda_name;
		}
		if (!vd->vd_next)
			break;
		off += vd->vd_next;
	}
	return NULL;
}

/* Defined symbol name (optionally @version) in d; the default version when none given. */
static const Elf64_Sym *dyn_lookup(const struct dyn *d, const char *name)
{
	const char *at = strchr(name, '@');
	size_t len = at ? (size_t)(at - name) : strlen(name);
	const char *want = at ? at + 1 + (at[1] == '@') : NULL;
	const Elf64_Sym *weak = NULL;

	for (size_t i = 1; i < d->nsym; i++) {
		const Elf64_Sym *s = &d->sym[i];
		const char *n = d->str + s->st_name;
		unsigned v = d->versym ? d->versym[i] : 1;

		if (s->st_shndx == SHN_UNDEF || strncmp(n, name, len) || n[len])
			continue;
		if (want) {
			const char *vn = verdef_name(d, v & 0x7fff);
			if (!vn || strcmp(vn, want))
				continue;
		} else if (v & 0x8000) {
			continue;	/* a hidden (non-default) version */
		}
		if (ELF64_ST_BIND(s->st_info) != STB_WEAK)
			return s;
		if (!weak)
			weak = s;
	}
	return weak;
}

/* The target's own GOT slot for an imported name (JUMP_SLOT, GLOB_DAT or 64). */
static int from_imports(struct resolver *r, const char *name, struct resolution *out)
{
	struct dyn d;

	if (dyn_open(r->tef, &d))
		return 1;
	for (size_t i = 1; i < r->tef->nsec; i++) {
		struct section *s = r->tef->sec[i];
		const Elf64_Rela *rel;

		if (s->sh.sh_type != SHT_RELA || s->sh.sh_link >= r->tef->nsec ||
		    r->tef->sec[s->sh.sh_link]->sh.sh_type != SHT_DYNSYM ||
		    !(rel = (const Elf64_Rela *)elf_section_data(s)))
			continue;
		for (size_t k = 0; k < s->size / sizeof(*rel); k++) {
			unsigned type = ELF64_R_TYPE(rel[k].r_info);
			size_t si = ELF64_R_SYM(rel[k].r_info);
			const char *n;
			size_t len;

			if ((type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT &&
			     type != R_X86_64_64) || !si || si >= d.nsym || rel[k].r_addend)
				continue;
			n = d.str + d.sym[si].st_name;
			len = strcspn(name, "@");
			if (strncmp(n, name, len) || n[len])
				continue;
			memset(out, 0, sizeof(*out));
			out->kind = RES_SLOT;
			out->value = runtime(r, r->target, rel[k].r_offset);
			out->is_func = type == R_X86_64_JUMP_SLOT ||
				       ELF64_ST_TYPE(d.sym[si].st_info) == STT_FUNC;
			out->where = r->target->path;
			return 0;
		}
	}
	return 1;
}

static int from_target_dynsym(struct resolver *r, const char *name, struct resolution *out)
{
	struct dyn d;
	const Elf64_Sym *s;

	if (dyn_open(r->tef, &d) || !(s = dyn_lookup(&d, name)))
		return 1;
	if (ELF64_ST_TYPE(s->st_info) == STT_TLS || ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC)
		return 1;
	memset(out, 0, sizeof(*out));
	out->kind = RES_ADDR;
	out->value = runtime(r, r->target, s->st_value);
	out->is_func = ELF64_ST_TYPE(s->st_info) == STT_FUNC;
	out->where = r->target->path;
	return 0;
}

static int from_other_objects(struct resolver *r, const char *name, struct resolution *out)
{
	for (size_t i = 0; i < r->pm->nobj; i++) {
		const struct proc_object *o = &r->pm->obj[i];
		const Elf64_Sym *s;
		struct dyn d;

		if (o == r->target || o->path[0] != '/')
			continue;
		if (!r->libs[i] && !(r->libs[i] = open_object(r->pm, o)))
			continue;
		if (dyn_open(r->libs[i], &d) || !(s = dyn_lookup(&d, name)))
			continue;
		if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC) {
			lp_err("symbol %s: an IFUNC in %s that %s does not import; cannot resolve it",
			       name, o->path, r->target->path);
			return -1;
		}
		if (ELF64_ST_TYPE(s->st_info) == STT_TLS) {
			lp_err("symbol %s: thread-local variables of shared libraries are not supported yet",
			       name);
			return -1;
		}
		memset(out, 0, sizeof(*out));
		out->kind = RES_ADDR;
		out->value = runtime(r, o, s->st_value);
		out->is_func = ELF64_ST_TYPE(s->st_info) == STT_FUNC;
		out->where = o->path;
		return 0;
	}
	return 1;
}

int resolve_symbol(struct resolver *r, const char *name, struct resolution *out)
{
	int rc;

	if ((rc = from_symtab(r, name, out)) <= 0)
		return rc;
	if ((rc = from_target_dynsym(r, name, out)) <= 0)
		return rc;
	if ((rc = from_imports(r, name, out)) <= 0)
		return rc;
	if ((rc = from_other_objects(r, name, out)) <= 0)
		return rc;
	lp_err("symbol %s: not defined in %s nor in any object loaded in process %d", name,
	       r->target->path, (int)r->pm->pid);
	lp_hint("a static function the compiler inlined has no symbol: include it in the patch");
	return -1;
}

void resolver_cold_part(struct resolver *r, const char *func, uint64_t *addr, uint64_t *size)
{
	char *name = xasprintf("%s.cold", func);

	*addr = *size = 0;
	for (size_t i = 1; i < r->tef->nsym; i++) {
		struct symbol *s = r->tef->sym[i];
		if (s->sec && s->type == STT_FUNC && !strcmp(s->name, name) &&
		    (!r->anchor_file || file_of(r->tef, i) == r->anchor_file)) {
			*addr = runtime(r, r->target, s->s.st_value);
			*size = s->s.st_size;
			break;
		}
	}
	free(name);
}
