/* libunwind accessors for a ptrace-stopped process. */
#include "user/unwind.h"

#include "user/mem.h"
#include "util/str.h"

#include <elf.h>
#include <fcntl.h>
#include <libunwind.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Exported by libunwind (what its own ptrace accessors use) but not declared in its headers. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip,
					      unw_dyn_info_t *di, unw_proc_info_t *pi,
					      int need_unwind_info, void *arg);

#define CACHE_PAGES 256
#define STATIC_GEN UINT64_MAX

struct cached_page {
	uint64_t addr;
	uint64_t gen;		/* valid while equal to the unwinder's */
	unsigned char *data;	/* allocated on first use */
};

struct unwinder {
	pid_t pid;
	const struct proc_maps *pm;
	unw_addr_space_t as;
	struct code_table *tables;
	size_t ntables, tabcap;
	struct lp_thread *t;
	bool lookup_failed;
	uint64_t loader_start;	/* the dynamic loader's entry code (_start, _dl_start_user), or 0 */
	uint64_t gen;
	struct cached_page cache[CACHE_PAGES];
};

static int read_cached(struct unwinder *u, uint64_t addr, void *out, size_t len)
{
	unsigned char *dst = out;

	while (len) {
		uint64_t page = page_down(addr);
		struct cached_page *cp = &u->cache[(page / PAGE) % CACHE_PAGES];
		size_t in = PAGE - (addr - page), n = len < in ? len : in;

		if ((cp->gen != u->gen && cp->gen != STATIC_GEN) || cp->addr != page) {
			const struct mapping *m = maps_find(u->pm, page);

			if (!cp->data)
				cp->data = xmalloc(PAGE);
			if (rmem_read(u->pid, page, cp->data, PAGE)) {
				cp->gen = 0;
				return rmem_read(u->pid, addr, dst, len);
			}
			cp->addr = page;
			/* Unwind tables and code do not change while threads run: keep them. */
			cp->gen = m && !(m->prot & PROT_WRITE) && m->path[0] == '/' ? STATIC_GEN : u->gen;
		}
		memcpy(dst, cp->data + (addr - page), n);
		dst += n;
		addr += n;
		len -= n;
	}
	return 0;
}

static int find_table(struct unwinder *u, unw_word_t ip, unw_dyn_info_t *di)
{
	const struct proc_object *o;
	unsigned char hdr[12];
	uint32_t count;

	memset(di, 0, sizeof(*di));
	di->format = UNW_INFO_FORMAT_REMOTE_TABLE;
	for (size_t i = 0; i < u->ntables; i++)
		if (ip >= u->tables[i].lo && ip < u->tables[i].hi) {
			di->start_ip = u->tables[i].lo;
			di->end_ip = u->tables[i].hi;
			di->u.rti.segbase = u->tables[i].segbase;
			di->u.rti.table_data = u->tables[i].table;
			di->u.rti.table_len = u->tables[i].count * 8 / sizeof(unw_word_t);
			return u->tables[i].count ? 0 : -1;
		}
	o = maps_object_at(u->pm, ip);
	if (!o || !o->eh_frame_hdr || ip < o->exec_lo || ip >= o->exec_hi)
		return -1;
	/* .eh_frame_hdr: version 1, a 4-byte eh_frame_ptr, udata4 count, datarel sdata4 table. */
	if (read_cached(u, o->eh_frame_hdr, hdr, sizeof(hdr)) || hdr[0] != 1 ||
	    (hdr[1] & 0x0f) != 0x0b || hdr[2] != 0x03 || hdr[3] != 0x3b)
		return -1;
	memcpy(&count, hdr + 8, 4);
	di->start_ip = o->exec_lo;
	di->end_ip = o->exec_hi;
	di->u.rti.segbase = o->eh_frame_hdr;
	di->u.rti.table_data = o->eh_frame_hdr + 12;
	di->u.rti.table_len = (uint64_t)count * 8 / sizeof(unw_word_t);
	return 0;
}

static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need,
			  void *arg)
{
	struct unwinder *u = arg;
	unw_dyn_info_t di;
	int rc;

	if (find_table(u, ip, &di)) {
		u->lookup_failed = true;
		return -UNW_ENOINFO;
	}
	rc = _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need, arg);
	if (rc < 0)
		u->lookup_failed = true;
	return rc;
}

static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as; (void)pi; (void)arg;	/* libunwind frees what its table search allocated */
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as; (void)addr; (void)arg;
	return -UNW_ENOINFO;
}

static int access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write, void *arg)
{
	(void)as;
	if (write)
		return -UNW_EINVAL;
	return read_cached(arg, addr, val, sizeof(*val)) ? -UNW_EINVAL : 0;
}

static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write, void *arg)
{
	struct unwinder *u = arg;
	struct user_regs_struct *r = sess_regs(u->t);

	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	if (!r)
		return -UNW_EUNSPEC;
	switch (reg) {
	case UNW_X86_64_RAX: *val = r->rax; break;
	case UNW_X86_64_RDX: *val = r->rdx; break;
	case UNW_X86_64_RCX: *val = r->rcx; break;
	case UNW_X86_64_RBX: *val = r->rbx; break;
	case UNW_X86_64_RSI: *val = r->rsi; break;
	case UNW_X86_64_RDI: *val = r->rdi; break;
	case UNW_X86_64_RBP: *val = r->rbp; break;
	case UNW_X86_64_RSP: *val = r->rsp; break;
	case UNW_X86_64_R8: *val = r->r8; break;
	case UNW_X86_64_R9: *val = r->r9; break;
	case UNW_X86_64_R10: *val = r->r10; break;
	case UNW_X86_64_R11: *val = r->r11; break;
	case UNW_X86_64_R12: *val = r->r12; break;
	case UNW_X86_64_R13: *val = r->r13; break;
	case UNW_X86_64_R14: *val = r->r14; break;
	case UNW_X86_64_R15: *val = r->r15; break;
	case UNW_X86_64_RIP: *val = r->rip; break;
	default: return -UNW_EBADREG;
	}
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
			void *arg)
{
	(void)as; (void)reg; (void)val; (void)write; (void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as; (void)c; (void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
			 unw_word_t *off, void *arg)
{
	(void)as; (void)addr; (void)buf; (void)len; (void)off; (void)arg;
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	.find_proc_info = find_proc_info,
	.put_unwind_info = put_unwind_info,
	.get_dyn_info_list_addr = get_dyn_info_list_addr,
	.access_mem = access_mem,
	.access_reg = access_reg,
	.access_fpreg = access_fpreg,
	.resume = resume,
	.get_proc_name = get_proc_name,
};

/*
 * Where the dynamic loader's entry code runs: AT_BASE plus its e_entry. Its
 * _start calls _dl_start, then (as _dl_start_user) _dl_init, which runs the
 * constructors, with no CFI: below it is only the stack the kernel made. A
 * process caught in a constructor (lpatch's start-up hook) unwinds to it.
 */
static uint64_t loader_start(pid_t pid)
{
	char path[64];
	Elf64_auxv_t av[64];
	Elf64_Ehdr eh;
	uint64_t base = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, av, sizeof(av));
	close(fd);
	for (ssize_t i = 0; i < n / (ssize_t)sizeof(av[0]) && av[i].a_type != AT_NULL; i++)
		if (av[i].a_type == AT_BASE)
			base = av[i].a_un.a_val;
	if (!base || rmem_read(pid, base, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		return 0;
	return base + eh.e_entry;
}

struct unwinder *unwinder_new(pid_t pid, const struct proc_maps *pm)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->pid = pid;
	u->loader_start = loader_start(pid);
	u->pm = pm;
	u->gen = 1;
	u->as = unw_create_addr_space(&accessors, 0);
	/* Register rules are cached by IP across threads and retries: later stops unwind fast. */
	unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
	return u;
}

void unwinder_add_table(struct unwinder *u, const struct code_table *ct)
{
	*ARRAY_PUSH(u->tables, u->ntables, u->tabcap) = *ct;
}

void unwinder_flush(struct unwinder *u)
{
	u->gen++;
}

int unwind_thread(struct unwinder *u, struct lp_thread *t, uint64_t *pcs, int max, bool *complete)
{
	return unwind_thread_slots(u, t, pcs, NULL, max, complete);
}

int unwind_thread_slots(struct unwinder *u, struct lp_thread *t, uint64_t *pcs, uint64_t *slots,
			int max, bool *complete)
{
	unw_cursor_t c;
	int n = 0;

	*complete = false;
	u->t = t;
	if (!sess_regs(t) || max < 1)
		return 0;
	if (slots)
		slots[n] = 0;
	pcs[n++] = t->regs.rip;
	if (unw_init_remote(&c, u->as, u) < 0)
		return n;
	while (n < max) {
		unw_word_t ip;
		int rc;

		u->lookup_failed = false;
		rc = unw_step(&c);
		/*
		 * No CFI for this frame: libunwind would guess from frame pointers, and
		 * may even call the guess the end of the stack; we do not trust it.
		 */
		if (rc < 0 || u->lookup_failed) {
			/* the loader's entry code, running the constructors: the outermost frame */
			*complete = u->loader_start && pcs[n - 1] >= u->loader_start &&
				    pcs[n - 1] < u->loader_start + 64;
			break;
		}
		if (rc == 0) {
			*complete = true;
			break;
		}
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0)
			break;
		if (ip == 0) {
			*complete = true;
			break;
		}
		if (slots) {
			/* the caller's stack pointer is the callee's CFA: the return address is below */
			unw_word_t sp;
			slots[n] = unw_get_reg(&c, UNW_REG_SP, &sp) < 0 ? 0 : sp - 8;
		}
		pcs[n++] = ip;
	}
	return n;
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	unw_destroy_addr_space(u->as);
	for (size_t i = 0; i < CACHE_PAGES; i++)
		free(u->cache[i].data);
	free(u->tables);
	free(u);
}
