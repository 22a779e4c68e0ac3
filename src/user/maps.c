/* /proc/PID/maps parsing, and the program headers of each loaded ELF object. */
#include "user/maps.h"

#include "elf/elf.h"
#include "user/mem.h"
#include "util/str.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int parse_line(const char *line, struct mapping *m)
{
	unsigned long long start, end, off;
	char perms[8];
	int pos = 0;

	/* The device and inode are skipped; pos is set only when the line got that far. */
	if (sscanf(line, "%llx-%llx %7s %llx %*x:%*x %*u %n", &start, &end, perms, &off,
		   &pos) < 4 || !pos)
		return -1;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
		  (perms[2] == 'x' ? PROT_EXEC : 0);
	m->shared = perms[3] == 's';
	m->path = xstrdup(line + pos);
	m->path[strcspn(m->path, "\n")] = '\0';
	return 0;
}

static int read_remote(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return rmem_read(*(pid_t *)ctx, addr, buf, len);
}

/* Fill o from the ELF and program headers mapped at start (file offset 0). */
static int read_headers(pid_t pid, uint64_t start, struct proc_object *o)
{
	struct elf_image img;
	bool first = true;

	if (elf_image_read(read_remote, &pid, start, &img))
		return -1;
	for (size_t i = 0; i < img.nph && first; i++)
		if (img.ph[i].p_type == PT_LOAD) {
			o->bias = start - page_down(img.ph[i].p_vaddr);
			first = false;
		}
	if (first) {
		elf_image_free(&img);
		return -1;
	}
	o->lo = UINT64_MAX;
	for (size_t i = 0; i < img.nph; i++) {
		const GElf_Phdr *ph = &img.ph[i];
		uint64_t lo = o->bias + page_down(ph->p_vaddr);
		uint64_t hi = o->bias + ph->p_vaddr + ph->p_memsz;

		switch (ph->p_type) {
		case PT_LOAD:
			if (lo < o->lo)
				o->lo = lo;
			if (hi > o->hi)
				o->hi = hi;
			if (ph->p_flags & PF_X) {
				if (!o->exec_lo || lo < o->exec_lo)
					o->exec_lo = lo;
				if (hi > o->exec_hi)
					o->exec_hi = hi;
			}
			break;
		case PT_GNU_EH_FRAME:
			o->eh_frame_hdr = o->bias + ph->p_vaddr;
			break;
		case PT_DYNAMIC:
			o->dynamic = o->bias + ph->p_vaddr;
			o->dynamic_size = ph->p_memsz;
			break;
		case PT_TLS:
			o->has_tls = true;
			o->tls_memsz = ph->p_memsz;
			o->tls_align = ph->p_align ? ph->p_align : 1;
			break;
		case PT_NOTE:
			if (!o->build_id)
				o->build_id = elf_image_build_id(read_remote, &pid, o->bias + ph->p_vaddr,
								 ph->p_filesz);
			break;
		}
	}
	elf_image_free(&img);
	return 0;
}

static bool object_path(const char *path)
{
	return path[0] == '/' || !strcmp(path, "[vdso]");
}

int maps_read(pid_t pid, struct proc_maps *pm)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	memset(pm, 0, sizeof(*pm));
	pm->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		struct mapping m;
		if (parse_line(line, &m))
			continue;
		*ARRAY_PUSH(pm->m, pm->n, pm->cap) = m;
	}
	free(line);
	fclose(f);
	if (!pm->n) {
		errno = ESRCH;	/* a zombie, or a kernel thread */
		return -1;
	}
	for (size_t i = 0; i < pm->n; i++) {
		struct mapping *m = &pm->m[i];
		struct proc_object o = { 0 };

		if (m->offset || !object_path(m->path) || !(m->prot & PROT_READ))
			continue;
		if (read_headers(pid, m->start, &o)) {
			free(o.build_id);
			continue;
		}
		o.path = xstrdup(m->path);
		*ARRAY_PUSH(pm->obj, pm->nobj, pm->objcap) = o;
	}
	return 0;
}

void maps_free(struct proc_maps *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		free(pm->m[i].path);
	for (size_t i = 0; i < pm->nobj; i++) {
		free(pm->obj[i].path);
		free(pm->obj[i].build_id);
	}
	free(pm->m);
	free(pm->obj);
	memset(pm, 0, sizeof(*pm));
}

const struct mapping *maps_find(const struct proc_maps *pm, uint64_t addr)
{
	for (size_t i = 0; i < pm->n; i++)
		if (addr >= pm->m[i].start && addr < pm->m[i].end)
			return &pm->m[i];
	return NULL;
}

const struct proc_object *maps_object_at(const struct proc_maps *pm, uint64_t addr)
{
	for (size_t i = 0; i < pm->nobj; i++)
		if (addr >= pm->obj[i].lo && addr < pm->obj[i].hi)
			return &pm->obj[i];
	return NULL;
}

const struct proc_object *maps_object_named(const struct proc_maps *pm, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < pm->nobj; i++) {
		const char *p = pm->obj[i].path;
		size_t len = strlen(p);
		if (!strcmp(p, name) || (len > n && p[len - n - 1] == '/' && !strcmp(p + len - n, name)))
			return &pm->obj[i];
	}
	return NULL;
}

char *maps_object_open_path(const struct proc_maps *pm, const struct proc_object *o)
{
	return xasprintf("/proc/%d/root%s", (int)pm->pid, o->path);
}
