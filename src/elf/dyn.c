/*
 * The dynamic side of linked objects: .dynsym with symbol versions
 * (.gnu.version, .gnu.version_d, .gnu.version_r), dynamic relocations, and
 * the program headers of an object as mapped in a process.
 */
#include "elf.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static Elf_Data *raw(const struct elf_file *ef, const struct section *sec)
{
	Elf_Scn *scn = sec ? elf_getscn(ef->elf, sec->index) : NULL;

	return scn ? elf_getdata(scn, NULL) : NULL;
}

static struct section *of_type(const struct elf_file *ef, GElf_Word type)
{
	for (size_t i = 1; i < ef->nsec; i++)
		if (ef->sec[i]->sh.sh_type == type)
			return ef->sec[i];
	return NULL;
}

/* Version names by index: from version definitions, then requirements. */
static void read_versions(const struct elf_file *ef, const char ***names, size_t *n)
{
	struct section *vd = of_type(ef, SHT_GNU_verdef), *vn = of_type(ef, SHT_GNU_verneed);
	Elf_Data *d;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
#define SET(ndx, str) do { \
		size_t _i = (ndx) & 0x7fff; \
		if (_i >= cap) { grow_array((void **)names, &cap, _i + 1, sizeof(char *)); \
				 memset(*names + *n, 0, (cap - *n) * sizeof(char *)); } \
		if (_i >= *n) *n = _i + 1; \
		(*names)[_i] = (str); } while (0)
	if ((d = raw(ef, vd))) {
		GElf_Verdef def;
		GElf_Verdaux aux;
		for (size_t off = 0; gelf_getverdef(d, (int)off, &def); off += def.vd_next) {
			if (gelf_getverdaux(d, (int)(off + def.vd_aux), &aux))
				SET(def.vd_ndx, elf_strptr(ef->elf, vd->sh.sh_link, aux.vda_name));
			if (!def.vd_next)
				break;
		}
	}
	if ((d = raw(ef, vn))) {
		GElf_Verneed need;
		GElf_Vernaux aux;
		for (size_t off = 0; gelf_getverneed(d, (int)off, &need); off += need.vn_next) {
			for (size_t a = off + need.vn_aux; gelf_getvernaux(d, (int)a, &aux); a += aux.vna_next) {
				SET(aux.vna_other, elf_strptr(ef->elf, vn->sh.sh_link, aux.vna_name));
				if (!aux.vna_next)
					break;
			}
			if (!need.vn_next)
				break;
		}
	}
#undef SET
}

static void read_relocs(const struct elf_file *ef, const struct section *dynsym, struct elf_dyn *dy)
{
	size_t cap = 0;

	for (size_t i = 1; i < ef->nsec; i++) {
		struct section *s = ef->sec[i];
		Elf_Data *d;
		GElf_Rela r;

		if (s->sh.sh_type != SHT_RELA || s->sh.sh_link != dynsym->index || !(d = raw(ef, s)))
			continue;
		for (int k = 0; gelf_getrela(d, k, &r); k++)
			*ARRAY_PUSH(dy->rel, dy->nrel, cap) = (struct elf_dynrel){
				.offset = r.r_offset, .type = (uint32_t)GELF_R_TYPE(r.r_info),
				.sym = GELF_R_SYM(r.r_info), .addend = r.r_addend };
	}
}

struct elf_dyn *elf_dyn_read(const struct elf_file *ef)
{
	struct section *ds = of_type(ef, SHT_DYNSYM), *vs = of_type(ef, SHT_GNU_versym);
	Elf_Data *d = raw(ef, ds), *vd = raw(ef, vs);
	const char **vnames;
	size_t nv;
	struct elf_dyn *dy;

	if (!d)
		return NULL;
	dy = xcalloc(1, sizeof(*dy));
	dy->nsym = ds->sh.sh_entsize ? ds->sh.sh_size / ds->sh.sh_entsize : 0;
	dy->sym = xcalloc(dy->nsym ? dy->nsym : 1, sizeof(*dy->sym));
	read_versions(ef, &vnames, &nv);
	for (size_t i = 0; i < dy->nsym; i++) {
		struct elf_dynsym *s = &dy->sym[i];
		GElf_Versym v = 1;
		const char *n;

		if (!gelf_getsym(d, (int)i, &s->s)) {
			dy->nsym = i;	/* sh_size / sh_entsize overstated the data: no unnamed entries */
			break;
		}
		n = elf_strptr(ef->elf, ds->sh.sh_link, s->s.st_name);
		s->name = n ? n : "";
		if (vd)
			gelf_getversym(vd, (int)i, &v);
		s->hidden = v & 0x8000;
		s->version = (v & 0x7fff) > 1 && (size_t)(v & 0x7fff) < nv ? vnames[v & 0x7fff] : NULL;
	}
	free(vnames);
	read_relocs(ef, ds, dy);
	return dy;
}

bool elf_dyn_may_define(const struct elf_file *ef, const char *name)
{
	struct section *ds = of_type(ef, SHT_DYNSYM);
	Elf_Scn *scn = ds ? elf_getscn(ef->elf, ds->sh.sh_link) : NULL;
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

	if (!d || !d->d_buf)
		return ds != NULL;	/* unreadable: let elf_dyn_read tell */
	return elf_strtab_may_hold(d->d_buf, d->d_size, name);
}

bool elf_strtab_may_hold(const void *tab, size_t size, const char *name)
{
	size_t len = strcspn(name, "@");
	char *want = xmalloc(len + 1);
	bool found;

	/* "name\0" anywhere: a string may end another one (merged tails) */
	memcpy(want, name, len);
	want[len] = '\0';
	found = memmem(tab, size, want, len + 1) != NULL;
	free(want);
	return found;
}

void elf_dyn_free(struct elf_dyn *dy)
{
	if (!dy)
		return;
	free(dy->sym);
	free(dy->rel);
	free(dy);
}

const struct elf_dynsym *elf_dyn_lookup(const struct elf_dyn *dy, const char *name)
{
	const char *at = strchr(name, '@');
	size_t len = at ? (size_t)(at - name) : strlen(name);
	const char *want = at ? at + 1 + (at[1] == '@') : NULL;
	const struct elf_dynsym *weak = NULL;

	for (size_t i = 1; dy && i < dy->nsym; i++) {
		const struct elf_dynsym *s = &dy->sym[i];

		if (s->s.st_shndx == SHN_UNDEF || strncmp(s->name, name, len) || s->name[len])
			continue;
		if (want ? !s->version || strcmp(s->version, want) : s->hidden)
			continue;
		if (GELF_ST_BIND(s->s.st_info) != STB_WEAK)
			return s;
		if (!weak)
			weak = s;
	}
	return weak;
}

const struct elf_dynsym *elf_dyn_import(const struct elf_dyn *dy, const char *name)
{
	size_t len = strcspn(name, "@");

	for (size_t i = 1; dy && i < dy->nsym; i++) {
		const struct elf_dynsym *s = &dy->sym[i];
		if (s->s.st_shndx == SHN_UNDEF && !strncmp(s->name, name, len) && !s->name[len])
			return s;
	}
	return NULL;
}

/* ---- an object as mapped in memory ---- */

int elf_image_read(elf_image_reader *read, void *ctx, uint64_t at, struct elf_image *img)
{
	unsigned char page[4096];
	GElf_Ehdr eh;
	size_t nph;
	Elf *e;

	memset(img, 0, sizeof(*img));
	if (elf_version(EV_CURRENT) == EV_NONE || read(ctx, at, page, sizeof(page)) || memcmp(page, ELFMAG, SELFMAG) ||
	    page[EI_CLASS] != ELFCLASS64)
		return -1;
	/* only the headers are mapped: describe the image as having no sections */
	((Elf64_Ehdr *)page)->e_shoff = 0;
	((Elf64_Ehdr *)page)->e_shnum = 0;
	((Elf64_Ehdr *)page)->e_shstrndx = 0;
	e = elf_memory((char *)page, sizeof(page));
	if (!e || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &nph) || !nph) {
		if (e)
			elf_end(e);
		return -1;
	}
	img->type = eh.e_type;
	img->ph = xcalloc(nph, sizeof(*img->ph));
	for (size_t i = 0; i < nph; i++)
		if (gelf_getphdr(e, (int)i, &img->ph[img->nph]))
			img->nph++;
	elf_end(e);
	return 0;
}

char *elf_image_build_id(elf_image_reader *read, void *ctx, uint64_t addr, uint64_t size)
{
	Elf_Data d = { .d_type = ELF_T_NHDR, .d_version = EV_CURRENT, .d_size = size };
	char *id = NULL;

	if (!size || size > 65536)
		return NULL;
	d.d_buf = xmalloc(size);
	if (!read(ctx, addr, d.d_buf, size))
		id = elf_note_build_id(&d);
	free(d.d_buf);
	return id;
}

void elf_image_free(struct elf_image *img)
{
	free(img->ph);
	memset(img, 0, sizeof(*img));
}
