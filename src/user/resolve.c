/* Symbol resolution against a running process's loaded objects. */
#include "user/resolve.h"

#include "user/mem.h"
#include "util/log.h"
#include "util/str.h"

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
	r->dyns = xcalloc(pm->nobj ? pm->nobj : 1, sizeof(*r->dyns));
	r->dynstrs = xcalloc(pm->nobj ? pm->nobj : 1, sizeof(*r->dynstrs));
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
	r->tdyn = elf_dyn_read(r->tef);
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
	elf_dyn_free(r->tdyn);
	if (r->tef)
		elf_close(r->tef);
	for (size_t i = 0; r->libs && i < r->pm->nobj; i++) {
		elf_dyn_free(r->dyns[i]);
		if (r->libs[i])
			elf_close(r->libs[i]);
		free(r->dynstrs[i].buf);
	}
	free(r->dynstrs);
	free(r->dyns);
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

bool resolver_stripped(const struct resolver *r)
{
	return !r->tef->symtab;
}

bool resolver_in_code(const struct resolver *r, uint64_t addr, uint64_t size)
{
	for (size_t i = 1; i < r->tef->nsec; i++) {
		const GElf_Shdr *sh = &r->tef->sec[i]->sh;

		if ((sh->sh_flags & SHF_EXECINSTR) && sh->sh_type == SHT_PROGBITS &&
		    addr >= sh->sh_addr && addr + size <= sh->sh_addr + sh->sh_size && size)
			return true;
	}
	return false;
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

/* A thread-local variable of the target at TLS offset value. */
static int tls_resolution(struct resolver *r, const char *name, uint64_t value,
			  struct resolution *out)
{
	if (!r->target_is_main || !r->target->has_tls) {
		lp_err("symbol %s: thread-local variables of shared libraries are not supported yet",
		       name);
		return -1;
	}
	out->kind = RES_TLS;
	out->tls_modid = 1;
	out->tls_offset = value;
	/* x86-64 variant II: the executable's block ends at the thread pointer. */
	uint64_t block = (r->target->tls_memsz + r->target->tls_align - 1) &
			 ~(r->target->tls_align - 1);
	out->tls_tpoff = (int64_t)value - (int64_t)block;
	return 0;
}

/* A stripped target: the ref= line is all there is (the builder took it from a rebuild
 * whose code is the target's); names without one go on to .dynsym and the imports. */
static int from_ref(struct resolver *r, const struct patch_ref *ref, struct resolution *out)
{
	if (!ref)
		return 1;
	memset(out, 0, sizeof(*out));
	out->where = r->target->path;
	out->is_func = ref->type == 'f';
	if (ref->type == 't')
		return tls_resolution(r, ref->name, ref->addr, out);
	out->kind = RES_ADDR;
	out->value = runtime(r, r->target, ref->addr);
	return 0;
}

static int from_symtab(struct resolver *r, const char *name, struct resolution *out)
{
	struct symbol *pick = NULL;
	size_t nlocal = 0, nsame = 0;
	struct symbol *global = NULL, *same = NULL, *local = NULL, *exact = NULL;
	const struct patch_ref *ref = NULL;

	for (size_t i = 0; i < r->nrefs && !ref; i++)
		if (!strcmp(r->refs[i].name, name))
			ref = &r->refs[i];
	if (resolver_stripped(r))
		return from_ref(r, ref, out);
	for (size_t i = 1; i < r->tef->nsym; i++) {
		struct symbol *s = r->tef->sym[i];
		if (!s->sec || s->type == STT_SECTION || s->type == STT_FILE || strcmp(s->name, name))
			continue;
		if (ref && s->s.st_value == ref->addr)
			exact = s;
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
	if (ref && !exact) {
		lp_err("symbol %s: the patch was built for the one at %#llx in %s, which has none there",
		       name, (unsigned long long)ref->addr, r->target->path);
		return -1;
	}
	if (exact)
		pick = exact;
	else if (nsame == 1)
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
	if (pick->type == STT_TLS)
		return tls_resolution(r, name, pick->s.st_value, out);
	if (pick->type == STT_GNU_IFUNC) {
		lp_err("symbol %s: an IFUNC of %s itself; not supported", name, r->target->path);
		return -1;
	}
	out->kind = RES_ADDR;
	out->value = pick->s.st_shndx == SHN_ABS ? pick->s.st_value
						  : runtime(r, r->target, pick->s.st_value);
	return 0;
}

/* The target's own GOT slot for an imported name (JUMP_SLOT, GLOB_DAT or 64). */
static int from_imports(struct resolver *r, const char *name, struct resolution *out)
{
	const struct elf_dyn *d = r->tdyn;
	const struct elf_dynsym *imp = elf_dyn_import(d, name);

	if (!imp)
		return 1;
	for (size_t k = 0; k < d->nrel; k++) {
		const struct elf_dynrel *rel = &d->rel[k];

		if ((rel->type != R_X86_64_JUMP_SLOT && rel->type != R_X86_64_GLOB_DAT &&
		     rel->type != R_X86_64_64) || !rel->sym || rel->sym >= d->nsym || rel->addend ||
		    strcmp(d->sym[rel->sym].name, imp->name))
			continue;
		memset(out, 0, sizeof(*out));
		out->kind = RES_SLOT;
		out->value = runtime(r, r->target, rel->offset);
		out->is_func = rel->type == R_X86_64_JUMP_SLOT ||
			       GELF_ST_TYPE(d->sym[rel->sym].s.st_info) == STT_FUNC;
		out->where = r->target->path;
		return 0;
	}
	return 1;
}

static int from_target_dynsym(struct resolver *r, const char *name, struct resolution *out)
{
	const struct elf_dynsym *s = elf_dyn_lookup(r->tdyn, name);
	unsigned type = s ? GELF_ST_TYPE(s->s.st_info) : STT_NOTYPE;

	if (!s || type == STT_TLS || type == STT_GNU_IFUNC)
		return 1;
	memset(out, 0, sizeof(*out));
	out->kind = RES_ADDR;
	out->value = runtime(r, r->target, s->s.st_value);
	out->is_func = type == STT_FUNC;
	out->where = r->target->path;
	return 0;
}

/*
 * The dynamic string table object i has in the process's memory (DT_STRTAB,
 * DT_STRSZ of its PT_DYNAMIC), read on the first look-up that needs it and kept
 * for the resolver's life: libc's is 32 KB, and a patch looks up many names.
 * buf stays NULL when the table cannot be read.
 */
#define MAPPED_DYN_MAX 512
#define MAPPED_STRSZ_MAX (16u << 20)
static const struct mapped_dynstr *mapped_dynstr(struct resolver *r, size_t i)
{
	struct mapped_dynstr *t = &r->dynstrs[i];
	const struct proc_object *o = &r->pm->obj[i];
	pid_t pid = r->pm->pid;
	Elf64_Dyn dyn[MAPPED_DYN_MAX];
	size_t n = o->dynamic_size / sizeof(dyn[0]);
	uint64_t strtab = 0, strsz = 0;
	char *buf;

	if (t->read)
		return t;
	t->read = true;
	if (!o->dynamic || !n)
		return t;
	if (n > MAPPED_DYN_MAX)
		n = MAPPED_DYN_MAX;
	if (rmem_read(pid, o->dynamic, dyn, n * sizeof(dyn[0])))
		return t;
	for (size_t k = 0; k < n && dyn[k].d_tag != DT_NULL; k++)
		if (dyn[k].d_tag == DT_STRTAB)
			strtab = dyn[k].d_un.d_ptr;
		else if (dyn[k].d_tag == DT_STRSZ)
			strsz = dyn[k].d_un.d_val;
	/* the loader relocates d_ptr in place; the vDSO's is still a file address */
	if (strtab && (strtab < o->lo || strtab >= o->hi))
		strtab += o->bias;
	if (!strtab || !strsz || strsz > MAPPED_STRSZ_MAX || strtab < o->lo || strtab + strsz > o->hi)
		return t;
	buf = xmalloc(strsz);
	if (rmem_read(pid, strtab, buf, strsz)) {
		free(buf);
		return t;
	}
	t->buf = buf;
	t->size = strsz;
	r->stats.dynstr_reads++;
	r->stats.dynstr_bytes += strsz;
	return t;
}

/*
 * Can object i have name (any "@VER" ignored) in its dynamic symbols? false only
 * when the dynamic string table the process has in memory lacks "name\0": then
 * its file need not even be opened. true whenever that table cannot be read.
 */
static bool mapped_may_define(struct resolver *r, size_t i, const char *name)
{
	const struct mapped_dynstr *t = mapped_dynstr(r, i);

	return !t->buf || elf_strtab_may_hold(t->buf, t->size, name);
}

static int from_other_objects(struct resolver *r, const char *name, struct resolution *out)
{
	for (size_t i = 0; i < r->pm->nobj; i++) {
		const struct proc_object *o = &r->pm->obj[i];
		const struct elf_dynsym *s;
		unsigned type;

		if (o == r->target || o->path[0] != '/')
			continue;
		if (!r->dyns[i] && !mapped_may_define(r, i, name))
			continue;	/* not even opened: libc, the loader... in most look-ups */
		if (!r->libs[i] && !(r->libs[i] = open_object(r->pm, o)))
			continue;
		if (!r->dyns[i]) {
			/* libc's 3,000 symbols are read only if it may have the name */
			if (!elf_dyn_may_define(r->libs[i], name))
				continue;
			r->dyns[i] = elf_dyn_read(r->libs[i]);
		}
		if (!(s = elf_dyn_lookup(r->dyns[i], name)))
			continue;
		type = GELF_ST_TYPE(s->s.st_info);
		if (type == STT_GNU_IFUNC) {
			lp_err("symbol %s: an IFUNC in %s that %s does not import; cannot resolve it",
			       name, o->path, r->target->path);
			return -1;
		}
		if (type == STT_TLS) {
			lp_err("symbol %s: thread-local variables of shared libraries are not supported yet",
			       name);
			return -1;
		}
		memset(out, 0, sizeof(*out));
		out->kind = RES_ADDR;
		out->value = runtime(r, o, s->s.st_value);
		out->is_func = type == STT_FUNC;
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

int resolve_exported(struct resolver *r, const char *name, struct resolution *out)
{
	int rc = from_target_dynsym(r, name, out);

	return rc <= 0 ? rc : from_other_objects(r, name, out);
}

void resolver_cold_part(struct resolver *r, const struct symbol *func, const char *name,
			uint64_t *addr, uint64_t *size)
{
	char *cold = xasprintf("%s.cold", name);
	size_t file = func ? file_of(r->tef, func->index) : 0;

	*addr = *size = 0;
	for (size_t i = 1; i < r->tef->nsym; i++) {
		struct symbol *s = r->tef->sym[i];
		if (s->sec && s->type == STT_FUNC && !strcmp(s->name, cold) &&
		    (!file || file_of(r->tef, i) == file)) {
			*addr = runtime(r, r->target, s->s.st_value);
			*size = s->s.st_size;
			break;
		}
	}
	free(cold);
}
