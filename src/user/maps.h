/* A process's mappings (/proc/PID/maps) and the ELF objects loaded in it. */
#ifndef LPATCH_USER_MAPS_H
#define LPATCH_USER_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* x86-64's page size: what mappings start and end on. */
#define PAGE 4096ULL

static inline uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE - 1);
}

static inline uint64_t page_up(uint64_t v)
{
	return page_down(v + PAGE - 1);
}

struct mapping {
	uint64_t start, end, offset;
	unsigned prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	bool shared;
	char *path;		/* "" for anonymous memory; "[vdso]", "[heap]"... */
};

/*
 * An ELF object as loaded: headers are read from the process's own memory
 * (the first page of every object is mapped), so it works for the vDSO and
 * for files deleted or replaced since they were loaded.
 */
struct proc_object {
	char *path;		/* as /proc/PID/maps names it */
	uint64_t bias;		/* run-time address minus file address */
	uint64_t lo, hi;	/* span of its PT_LOAD segments, run-time */
	uint64_t exec_lo, exec_hi;	/* span of its executable segments */
	uint64_t eh_frame_hdr;	/* run-time address of PT_GNU_EH_FRAME, 0 if none */
	uint64_t dynamic, dynamic_size;	/* run-time address and size of PT_DYNAMIC, 0 if none */
	bool has_tls;
	uint64_t tls_memsz, tls_align;
	char *build_id;		/* hex, or NULL */
};

struct proc_maps {
	pid_t pid;
	struct mapping *m;
	size_t n, cap;
	struct proc_object *obj;
	size_t nobj, objcap;
};

/* Read /proc/PID/maps and the objects; -1 with errno set (nothing printed). */
int maps_read(pid_t pid, struct proc_maps *pm);
void maps_free(struct proc_maps *pm);

const struct mapping *maps_find(const struct proc_maps *pm, uint64_t addr);
const struct proc_object *maps_object_at(const struct proc_maps *pm, uint64_t addr);
/* The object whose path ends in "/name" (or equals name), first one loaded. */
const struct proc_object *maps_object_named(const struct proc_maps *pm, const char *name);
/* A path under which this process's file can be opened (/proc/PID/root/...); caller frees. */
char *maps_object_open_path(const struct proc_maps *pm, const struct proc_object *o);

#endif
