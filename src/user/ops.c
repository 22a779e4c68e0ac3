/* apply and revert on one process: resolve, load, switch consistently, detach. */
#include "user/ops.h"

#include "user/consistency.h"
#include "user/ehreg.h"
#include "user/load.h"
#include "user/maps.h"
#include "user/mem.h"
#include "user/redirect.h"
#include "user/remote.h"
#include "user/resolve.h"
#include "user/session.h"
#include "user/state.h"
#include "user/unwind.h"
#include "util/log.h"
#include "util/str.h"
#include "util/testpoint.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_maps(pid_t pid, struct proc_maps *pm)
{
	if (!maps_read(pid, pm))
		return 0;
	if (errno == ENOENT || errno == ESRCH)
		lp_err("no process %d", (int)pid);
	else if (errno == EACCES || errno == EPERM)
		lp_err("not permitted to read the memory map of process %d", (int)pid);
	else
		lp_perr("cannot read the memory map of process %d", (int)pid);
	return -1;
}

/*
 * lpatch is safe to kill at any point (docs/user-patch-format.md), but an
 * interrupted apply or revert leaves work for the next one: finish first.
 */
static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void add_region_tables(struct unwinder *u, const struct applied *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct code_table ct = {
			.lo = a[i].hdr->text_lo, .hi = a[i].hdr->text_hi, .segbase = a[i].base,
			.table = a[i].hdr->eh_table, .count = a[i].hdr->eh_count,
		};
		unwinder_add_table(u, &ct);
	}
}

/* The unwinder of an apply, made on first need (hook-apply's at-once switch needs none). */
static struct unwinder *unwinder_of(struct unwinder **u, pid_t pid, const struct proc_maps *pm,
				    const struct applied *a, size_t na)
{
	if (!*u) {
		*u = unwinder_new(pid, pm);
		add_region_tables(*u, a, na);
	}
	return *u;
}

/* Let the threads go, and keep how long they were held. */
static void detach_and_record(struct lp_session *s, struct user_result *res)
{
	sess_detach(s);
	res->pause_ns = s->last_pause_ns;
	res->max_pause_ns = s->max_pause_ns;
}

static struct lp_thread *main_thread(struct lp_session *s)
{
	struct lp_thread *t = sess_find(s, s->pid);

	if (t && t->state != T_GONE)
		return t;
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].state != T_GONE)
			return &s->t[i];
	return NULL;
}

/*
 * Unwind every thread once, each stopped alone (boosted to stop at once) while
 * the others run: the unwinder's tables and libunwind's per-IP cache are warm
 * for the stops of all threads at once, which then take that much less
 * (docs/performance.md, pause under load).
 */
static void warm_unwinder(struct lp_session *s, struct unwinder *u)
{
	for (size_t i = 0; i < s->n; i++) {
		struct lp_thread *t = &s->t[i];
		uint64_t pcs[64];
		bool complete, was_running = t->state == T_RUNNING;

		if (t->state == T_GONE)
			continue;
		if (was_running) {
			sess_boost(t);
			if (sess_stop(s, t)) {
				sess_unboost_all(s);
				continue;
			}
			sess_unboost_all(s);
		}
		unwind_thread(u, t, pcs, 64, &complete);
		if (was_running)
			sess_resume(s, t);
	}
}

static void add_range(struct code_range **r, size_t *n, size_t *cap, uint64_t lo, uint64_t size,
		      const char *name)
{
	if (!lo || !size)
		return;
	*ARRAY_PUSH(*r, *n, *cap) = (struct code_range){ lo, lo + size, name };
}

/*
 * user_opts.fresh: is the process one thread (t, stopped) with neither its
 * rip nor any word of its stack, from rsp to the end of the [stack] mapping,
 * in the ranges? Every return address unwinding could find is among those
 * words, so yes means clear. No (a word in a range, even data; rsp on another
 * stack, such as a signal handler's; more threads) sends the apply the usual
 * way. A process held in the start-up hook has a few kilobytes of stack.
 */
#define FRESH_STACK_MAX (1u << 20)
static bool fresh_clear(struct lp_session *s, struct lp_thread *t, const struct proc_maps *pm,
			const struct code_range *r, size_t nr)
{
	struct user_regs_struct *regs;
	const struct mapping *m;
	uint64_t lo, *words;
	size_t n;
	bool clear = true;

	if (sess_live(s) != 1 || t->state == T_RUNNING || !(regs = sess_regs(t)))
		return false;
	lo = regs->rsp & ~(uint64_t)7;
	m = maps_find(pm, lo);
	if (!m || strcmp(m->path, "[stack]") || m->end - lo > FRESH_STACK_MAX)
		return false;
	n = (size_t)(m->end - lo) / 8;
	words = xmalloc(n * 8 + 8);
	words[n] = regs->rip;
	if (rmem_read(s->pid, lo, words, n * 8))
		clear = false;
	for (size_t i = 0; clear && i <= n; i++)
		for (size_t k = 0; k < nr; k++)
			if (words[i] >= r[k].lo && words[i] <= r[k].hi) {
				lp_debug("process %d: %#llx on its stack is in %s: the usual check",
					 (int)s->pid, (unsigned long long)words[i], r[k].name);
				clear = false;
				break;
			}
	free(words);
	return clear;
}

int user_process_matches(pid_t pid, const struct user_patch *pf)
{
	struct proc_maps pm;
	const struct proc_object *o;
	int rc;

	if (maps_read(pid, &pm))
		return -1;
	o = maps_object_named(&pm, pf->object);
	rc = o && o->build_id && !strcmp(o->build_id, pf->build_id);
	maps_free(&pm);
	return rc;
}

/* ---- apply ---- */

struct apply_ctx {
	struct lp_session *s;
	struct load_plan *lp;
	const struct applied *a;
	size_t na;
	bool jumps_left;	/* a jump into the region could not be taken out: keep it mapped */
};

static int undo_jump(pid_t pid, const struct applied *a, size_t na, const struct lp_region_func *f)
{
	const struct lp_region_func *older;

	if (state_winner(a, na, f->old_addr, NULL, &older))
		return redirect_to(pid, f, older->new_addr);
	return redirect_restore(pid, f);
}

/*
 * Every thread stopped and clear of the old code. The record first (the
 * header says APPLYING), then the jumps, then ACTIVE: a kill at any point
 * leaves a record of every jump written. See docs/user-patch-format.md.
 */
static int apply_commit(void *arg)
{
	struct apply_ctx *c = arg;
	struct lp_region_hdr *h = load_hdr(c->lp);
	struct applied self = { .base = c->lp->base, .hdr = h };
	uint32_t i = 0;

	if (state_set(c->s->pid, &self, REGION_APPLYING)) {
		lp_perr("cannot mark patch %s as being applied in process %d", h->name,
			(int)c->s->pid);
		return -1;
	}
	test_kill_point("apply-marked");
	for (i = 0; i < h->nfuncs; i++) {
		if (redirect_to(c->s->pid, &h->funcs[i], h->funcs[i].new_addr))
			goto undo;
		test_kill_point("apply-jump");
	}
	if (state_set(c->s->pid, &self, REGION_ACTIVE)) {
		lp_perr("cannot mark the patch active in process %d", (int)c->s->pid);
		goto undo;
	}
	return 0;
undo:
	while (i-- > 0)
		if (undo_jump(c->s->pid, c->a, c->na, &h->funcs[i]))
			c->jumps_left = true;
	/* with a jump left in, the record stays APPLYING: ps shows which */
	if (!c->jumps_left && state_set(c->s->pid, &self, REGION_LOADED))
		c->jumps_left = true;
	return -1;
}

static int check_funcs(struct resolver *rs, const struct user_patch *pf)
{
	for (size_t i = 0; i < pf->nfuncs; i++) {
		struct symbol *sym;

		if (resolver_stripped(rs)) {
			/* no names to check: the builder verified the code against a rebuild */
			if (!resolver_in_code(rs, pf->funcs[i].addr, pf->funcs[i].size)) {
				lp_err("%s: %s has no code at %#llx..%#llx (for %s)", pf->path,
				       rs->target->path, (unsigned long long)pf->funcs[i].addr,
				       (unsigned long long)(pf->funcs[i].addr + pf->funcs[i].size),
				       pf->funcs[i].name);
				return -1;
			}
			continue;
		}
		sym = resolver_func_at(rs, pf->funcs[i].addr);
		if (!sym) {
			lp_err("%s: %s has no function at %#llx (for %s)", pf->path, rs->target->path,
			       (unsigned long long)pf->funcs[i].addr, pf->funcs[i].name);
			return -1;
		}
		if (strcmp(sym->name, pf->funcs[i].name))
			lp_warn("%s: the function at %#llx of %s is called %s, not %s", pf->path,
				(unsigned long long)pf->funcs[i].addr, rs->target->path, sym->name,
				pf->funcs[i].name);
		if (i == 0)
			resolver_set_anchor(rs, sym);
	}
	return 0;
}

/*
 * Can an exception (or a thread cancellation) unwind through a thread's
 * frames? libgcc's unwinder is mapped (libgcc_s, or libstdc++ with its own).
 * Then no trampoline is used: a blocked thread's return address pointed at
 * one would hide its caller from the unwinder, and a throw through that frame
 * would find no handler (std::terminate; user/38 died so about once in eight
 * runs). Blocked threads are let run and checked again instead.
 */
static bool may_unwind(const struct proc_maps *pm)
{
	for (size_t i = 0; i < pm->nobj; i++) {
		const char *base = strrchr(pm->obj[i].path, '/');

		base = base ? base + 1 : pm->obj[i].path;
		if (!strncmp(base, "libgcc_s.so", 11) || !strncmp(base, "libstdc++.so", 12))
			return true;
	}
	return false;
}

int user_apply(pid_t pid, struct user_patch *pf, const struct user_opts *o, struct user_result *res)
{
	struct proc_maps pm;
	const struct proc_object *target;
	struct applied *a = NULL;
	size_t na = 0, nr = 0, rcap = 0;
	struct resolver rs = { 0 };
	bool rs_ok;
	struct load_plan lp = { 0 };
	struct lp_session s = { 0 };
	struct unwinder *u = NULL;
	struct code_range *ranges = NULL;
	struct switch_stats st = { 0 };
	struct lp_thread *t;
	struct remote_gadgets gadget;
	uint64_t seq = 1;
	sigset_t oldmask;
	int rc = LP_EXIT_FAIL, sw;
	bool attached = false;

	memset(res, 0, sizeof(*res));
	snprintf(res->name, sizeof(res->name), "%s", pf->name);
	if (read_maps(pid, &pm))
		return LP_EXIT_FAIL;
	target = maps_object_named(&pm, pf->object);
	if (!target) {
		lp_err("process %d does not map %s (patch %s)", (int)pid, pf->object, pf->name);
		rc = LP_EXIT_REFUSED;
		goto out_maps;
	}
	if (!target->build_id || strcmp(target->build_id, pf->build_id)) {
		lp_err("process %d: %s has build-id %s, but patch %s is for build-id %s", (int)pid,
		       target->path, target->build_id ? target->build_id : "(none)", pf->name,
		       pf->build_id);
		rc = LP_EXIT_REFUSED;
		goto out_maps;
	}
	state_scan(&pm, &a, &na);
	for (size_t i = 0; i < na; i++) {
		if (a[i].hdr->seq >= seq)
			seq = a[i].hdr->seq + 1;
		if (!strcmp(a[i].hdr->name, pf->name) && a[i].hdr->state == REGION_ACTIVE) {
			lp_err("process %d: patch %s is already applied", (int)pid, pf->name);
			lp_hint("revert it first: lpatch revert --pid %d %s", (int)pid, pf->name);
			rc = LP_EXIT_REFUSED;
			goto out_maps;
		}
		if (!strcmp(a[i].hdr->name, pf->name) && region_live(a[i].hdr)) {
			lp_err("process %d: patch %s is partly %s (an lpatch run was interrupted)",
			       (int)pid, pf->name, a[i].hdr->state == REGION_APPLYING ? "applied" :
			       "reverted");
			lp_hint("revert it first: lpatch revert --pid %d %s", (int)pid, pf->name);
			rc = LP_EXIT_REFUSED;
			goto out_maps;
		}
	}
	rs_ok = !resolver_init(&rs, &pm, target);
	rs.refs = pf->refs;
	rs.nrefs = pf->nrefs;
	if (!rs_ok || check_funcs(&rs, pf) || load_plan(pf, &rs, &lp)) {
		rc = LP_EXIT_REFUSED;
		goto out;
	}
	/* Jump sites before anything touches the process: a refusal leaves it as it was. */
	sw = load_prepare(&lp, pid, a, na);
	if (sw) {
		rc = lp_exit_code(sw, LP_EXIT_FAIL);
		goto out;
	}
	if (remote_find_gadgets(&pm, &gadget))
		goto out;
	for (size_t i = 0; i < lp.pf->nfuncs; i++) {
		const struct lp_region_func *f = &lp.funcs[i];	/* the header's, from load_prepare */
		const struct lp_region_func *older;
		const char *name = pf->funcs[i].name;

		add_range(&ranges, &nr, &rcap, f->old_addr, f->old_size, name);
		add_range(&ranges, &nr, &rcap, f->cold_addr, f->cold_size, name);
		if (state_winner(a, na, f->old_addr, NULL, &older))
			add_range(&ranges, &nr, &rcap, older->new_addr, older->new_size, name);
	}
	if (!o->fresh)
		unwinder_of(&u, pid, &pm, a, na);
	{
		/* libgcc's unwinder in the process: it writes ehobj, and ehreg needs the unwinder */
		struct resolution reg;

		lp.eh_registers = lp.eh && resolve_exported(&rs, "__register_frame_info", &reg) <= 0;
		if (lp.eh_registers)
			unwinder_of(&u, pid, &pm, a, na);
	}

	block_signals(&oldmask);
	if (sess_attach(&s, pid))
		goto out_signals;
	attached = true;
	lp_debug("process %d: attached", (int)pid);
	/* Only one thread is held while the region is mapped and written. */
	t = main_thread(&s);
	if (!t || sess_stop(&s, t))
		goto out_signals;
	if (load_map(&s, t, &gadget, &pm, &lp, seq))
		goto out_signals;
	res->base = lp.base;
	test_kill_point("apply-mapped");
	if (!o->fresh) {
		/* Warm the unwinder (tables, libunwind's per-IP cache) while only t is held. */
		uint64_t pcs[64];
		bool complete;
		unwind_thread(u, t, pcs, 64, &complete);
	}
	{
		struct applied self = { .base = lp.base, .hdr = load_hdr(&lp) };

		if (ehreg_register(&s, t, &gadget, u, &rs, &self)) {
			if (!ehreg_deregister(&s, t, &gadget, u, &pm, &self))
				load_unmap(&s, t, &gadget, lp.base, lp.size);
			goto out_signals;
		}
	}
	test_kill_point("apply-registered");
	struct apply_ctx ctx = { &s, &lp, a, na, false };
	if (o->fresh && fresh_clear(&s, t, &pm, ranges, nr)) {
		/* still the only thread, never let go: switched where it stands */
		lp_debug("process %d: one thread, clear of the old code: switched at once", (int)pid);
		sw = apply_commit(&ctx) ? -1 : 0;
		res->rounds = 1;
	} else {
		unwinder_of(&u, pid, &pm, a, na);	/* before the process runs again */
		sess_resume_all(&s);
		res->load_pause_ns = s.max_thread_pause_ns;
		warm_unwinder(&s, u);

		struct switch_op op = {
			.ranges = ranges, .nranges = nr, .commit = apply_commit, .ctx = &ctx,
			.tramp = may_unwind(&pm) ? 0 : lp.base + load_tramp_off(&lp),
			.timeout_ms = o->timeout_ms,
			.what = "apply",
		};
		sw = consistency_switch(&s, u, &op, &st);
		res->rounds = st.rounds;
	}
	if (sw == 0) {
		rc = LP_EXIT_OK;
	} else {
		/* Leave the process as it was: no jump was written; drop the region. */
		t = main_thread(&s);
		if (ctx.jumps_left)
			lp_err("process %d: a jump into patch %s could not be removed; its region "
			       "stays mapped at %#llx", (int)pid, pf->name, (unsigned long long)lp.base);
		else if (t && sess_stop(&s, t) == 0) {
			struct applied self = { .base = lp.base, .hdr = load_hdr(&lp) };
			if (ehreg_deregister(&s, t, &gadget, unwinder_of(&u, pid, &pm, a, na), &pm,
					     &self))
				lp_err("process %d: patch %s's region stays mapped at %#llx", (int)pid,
				       pf->name, (unsigned long long)lp.base);
			else
				load_unmap(&s, t, &gadget, lp.base, lp.size);
		}
	}
out_signals:
	if (attached) {
		detach_and_record(&s, res);
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out:
	if (o->exit_after)
		return rc;	/* the process waits for our exit: unmapping files and freeing would delay it */
	free(ranges);
	unwinder_free(u);
	load_free(&lp);
	resolver_free(&rs);
out_maps:
	if (o->exit_after)
		return rc;
	state_free(a, na);
	maps_free(&pm);
	return rc;
}

/* ---- revert ---- */

struct revert_ctx {
	struct lp_session *s;
	struct unwinder *u;
	const struct proc_maps *pm;
	struct applied *a, *victim;
	size_t na;
	const struct remote_gadgets *gadget;
};

/* Where function f of the victim goes: the next newest patch of it, or its original code. */
static int send_back(struct revert_ctx *c, const struct lp_region_func *f)
{
	const struct lp_region_func *older;

	if (state_winner(c->a, c->na, f->old_addr, c->victim, &older))
		return redirect_to(c->s->pid, f, older->new_addr);
	return redirect_restore(c->s->pid, f);
}

/* Only where the victim is the newest: a newer patch keeps its jump. */
static bool owns(struct revert_ctx *c, const struct lp_region_func *f)
{
	return state_winner(c->a, c->na, f->old_addr, NULL, NULL) == c->victim;
}

/*
 * As apply_commit: REVERTING, the jumps out, LOADED. A failure puts the
 * jumps back and the record to ACTIVE; when that fails too, the record
 * stays REVERTING, which says "look at the entry bytes", and the process
 * and `lpatch ps` still agree.
 */
static int revert_commit(void *arg)
{
	struct revert_ctx *c = arg;
	struct lp_region_hdr *h = c->victim->hdr;
	uint32_t was = h->state, i = 0;
	int lost = 0;

	if (!region_live(h))
		return 0;	/* a stale region: nothing jumps to it */
	if (state_set(c->s->pid, c->victim, REGION_REVERTING)) {
		lp_perr("cannot mark patch %s as being reverted in process %d", h->name,
			(int)c->s->pid);
		return -1;
	}
	test_kill_point("revert-marked");
	for (i = 0; i < h->nfuncs; i++) {
		if (owns(c, &h->funcs[i]) && send_back(c, &h->funcs[i]))
			goto undo;
		test_kill_point("revert-jump");
	}
	/* no longer live: a later apply or revert must never jump back into it;
	 * kept mapped, as the program may still point into it */
	if (state_set(c->s->pid, c->victim, REGION_REVERTED)) {
		lp_perr("cannot mark the reverted patch inactive in process %d", (int)c->s->pid);
		goto undo;
	}
	return 0;
undo:
	/* All or nothing: the functions already switched back jump to this patch again. */
	while (i-- > 0)
		if (owns(c, &h->funcs[i]) &&
		    (test_fail("revert-undo") ||
		     redirect_to(c->s->pid, &h->funcs[i], h->funcs[i].new_addr)))
			lost++;
	if (lost || state_set(c->s->pid, c->victim, was == REGION_ACTIVE ? REGION_ACTIVE :
						     REGION_REVERTING)) {
		/* the record says REVERTING: each function is what its entry bytes say */
		lp_err("process %d: patch %s is now partly reverted (%d function%s could not be "
		       "switched back to it)", (int)c->s->pid, h->name, lost, lost == 1 ? "" : "s");
		lp_hint("`lpatch ps --pid %d` shows which functions are switched; `lpatch revert "
			"--pid %d %s` finishes the revert", (int)c->s->pid, (int)c->s->pid, h->name);
	}
	return -1;
}

/*
 * A stale region (LOADED: its code never ran) that nothing jumps to and no
 * thread is in: let every other thread go, then unmap it with one thread
 * held (as apply maps it). A reverted one (REVERTED) is never unmapped.
 */
static void unmap_stale(struct revert_ctx *c)
{
	struct lp_thread *t = main_thread(c->s);

	if (t && t->state == T_STOPPED)
		sess_release_except(c->s, t);
	if (t && ehreg_deregister(c->s, t, c->gadget, c->u, c->pm, c->victim)) {
		lp_warn("process %d: the stale patch's memory stays mapped (libgcc may read its "
			"unwind entries)", (int)c->s->pid);
		return;
	}
	if (!t || load_unmap(c->s, t, c->gadget, c->victim->base, c->victim->hdr->size))
		lp_warn("process %d: the stale patch's memory stays mapped", (int)c->s->pid);
}

int user_revert(pid_t pid, const char *name, const struct user_opts *o, struct user_result *res)
{
	struct proc_maps pm;
	struct applied *a = NULL, *victim = NULL;
	size_t na = 0, nr = 0, rcap = 0;
	struct lp_session s = { 0 };
	struct unwinder *u = NULL;
	struct code_range *ranges = NULL;
	struct switch_stats st = { 0 };
	struct remote_gadgets gadget;
	uint64_t tramp;
	sigset_t oldmask;
	int rc = LP_EXIT_FAIL, sw;
	bool stale = false;

	memset(res, 0, sizeof(*res));
	if (read_maps(pid, &pm))
		return LP_EXIT_FAIL;
	state_scan(&pm, &a, &na);
	/* the newest live one; else a stale region a killed apply left (LOADED) */
	for (size_t i = na; i-- > 0 && !victim;)
		if (region_live(a[i].hdr) && (!name || !strcmp(a[i].hdr->name, name)))
			victim = &a[i];
	for (size_t i = na; i-- > 0 && !victim;)
		if (a[i].hdr->state == REGION_LOADED && (!name || !strcmp(a[i].hdr->name, name)))
			victim = &a[i];
	if (!victim) {
		if (name)
			lp_err("process %d has no applied patch called %s", (int)pid, name);
		else
			lp_err("process %d has no applied patch", (int)pid);
		lp_hint("`lpatch ps` lists the patches applied to processes");
		rc = LP_EXIT_REFUSED;
		goto out;
	}
	snprintf(res->name, sizeof(res->name), "%s", victim->hdr->name);
	res->base = victim->base;
	stale = victim->hdr->state == REGION_LOADED;
	if (remote_find_gadgets(&pm, &gadget))
		goto out;
	u = unwinder_new(pid, &pm);
	add_region_tables(u, a, na);
	for (uint32_t i = 0; i < victim->hdr->nfuncs; i++) {
		const struct lp_region_func *f = &victim->hdr->funcs[i];
		add_range(&ranges, &nr, &rcap, f->new_addr, f->new_size,
			  region_func_name(victim->hdr, f));
	}
	/*
	 * Anything else in its code (stubs, helpers) must be idle too, and its
	 * trampolines (a thread may still return through one, if an earlier
	 * lpatch died as it waited for the thread).
	 */
	tramp = page_up(victim->hdr->text_hi);
	if (!tramp_present(pid, tramp))
		tramp = 0;
	add_range(&ranges, &nr, &rcap, victim->hdr->text_lo,
		  (tramp ? tramp + TRAMP_PAGE : victim->hdr->text_hi) - victim->hdr->text_lo,
		  victim->hdr->name);

	block_signals(&oldmask);
	if (!sess_attach(&s, pid)) {
		lp_debug("process %d: attached", (int)pid);
		/* Warm the unwinder, one thread held at a time. */
		warm_unwinder(&s, u);
		struct revert_ctx ctx = { &s, u, &pm, a, victim, na, &gadget };
		struct switch_op op = {
			.ranges = ranges, .nranges = nr, .commit = revert_commit, .ctx = &ctx,
			.tramp = may_unwind(&pm) ? 0 : tramp, .timeout_ms = o->timeout_ms,
			.what = "revert",
		};
		sw = consistency_switch(&s, u, &op, &st);
		res->rounds = st.rounds;
		if (sw == 0) {
			rc = LP_EXIT_OK;
			test_kill_point("revert-unmap");
			if (stale)
				unmap_stale(&ctx);
		}
		detach_and_record(&s, res);
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out:
	free(ranges);
	unwinder_free(u);
	state_free(a, na);
	maps_free(&pm);
	return rc;
}
