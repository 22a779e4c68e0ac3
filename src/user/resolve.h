/*
 * Where the symbols a patch references live in a running process: the
 * target object's own functions and data (its .symtab, static ones too, then
 * its .dynsym), what it imports (through its own GOT slots, so symbol
 * versions, interposition and IFUNCs resolve exactly as for the object),
 * the other loaded objects' .dynsym (default or named version), and
 * thread-local variables of the main executable.
 */
#ifndef LPATCH_USER_RESOLVE_H
#define LPATCH_USER_RESOLVE_H

#include "elf/elf.h"
#include "user/maps.h"
#include "user/patchfile.h"

#include <stdbool.h>

enum res_kind {
	RES_ADDR,	/* value is the symbol's address */
	RES_SLOT,	/* value is the address of a pointer to it (the target's GOT) */
	RES_TLS,	/* a thread-local variable: tls_modid, tls_offset, tls_tpoff */
};

struct resolution {
	enum res_kind kind;
	uint64_t value;
	bool is_func;
	uint64_t tls_modid, tls_offset;
	int64_t tls_tpoff;
	const char *where;	/* path of the object that defines it */
};

/* The dynamic string table an object has in the process's memory, read once. */
struct mapped_dynstr {
	bool read;		/* tried: buf NULL then means it cannot be read */
	char *buf;
	size_t size;
};

struct resolver {
	const struct proc_maps *pm;
	const struct proc_object *target;
	struct elf_file *tef;		/* the target object's file */
	bool target_is_main;		/* the executable itself (TLS module 1) */
	size_t anchor_file;		/* .symtab index of the STT_FILE the patched functions are in */
	struct elf_file **libs;		/* parallel to pm->obj; NULL when not opened */
	struct elf_dyn **dyns;		/* their dynamic symbols, parallel to libs */
	struct elf_dyn *tdyn;		/* the target's */
	struct mapped_dynstr *dynstrs;	/* parallel to pm->obj, until its dyns is read */
	struct {
		size_t dynstr_reads;	/* mapped .dynstr tables read from the process */
		uint64_t dynstr_bytes;
	} stats;			/* for tests and measurements */
	const struct patch_ref *refs;	/* the patch's ref= lines: exact symbols for names */
	size_t nrefs;
};

/* Open the target's file (the one mapped, via /proc/PID/map_files) and check its build-id. */
int resolver_init(struct resolver *r, const struct proc_maps *pm, const struct proc_object *target);
void resolver_free(struct resolver *r);

/* The target's file has no .symtab (a distribution's stripped library or program): names
 * bind through the patch's ref= lines, functions through its func= and cold= lines. */
bool resolver_stripped(const struct resolver *r);
/* Does [addr, addr+size) (file addresses) lie in one code section of the target's file? */
bool resolver_in_code(const struct resolver *r, uint64_t addr, uint64_t size);

/* The target's FUNC symbol at file address addr, or NULL. */
struct symbol *resolver_func_at(struct resolver *r, uint64_t addr);
/* Prefer statics of the source file holding this function, when names repeat. */
void resolver_set_anchor(struct resolver *r, const struct symbol *func);
/*
 * The local FUNC `name.cold` (GCC's split-off unlikely part) of the target's
 * function func, from func's own source file when func is a local: run-time
 * address; 0 if none.
 */
void resolver_cold_part(struct resolver *r, const struct symbol *func, const char *name,
			uint64_t *addr, uint64_t *size);
/* Resolve name; errors name the symbol and what was searched. */
int resolve_symbol(struct resolver *r, const char *name, struct resolution *out);

/* name as exported (.dynsym) by the target or another loaded object: 1 if none
 * does, quietly; -1 on errors (printed). */
int resolve_exported(struct resolver *r, const char *name, struct resolution *out);

#endif
