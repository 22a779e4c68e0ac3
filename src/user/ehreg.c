/* Registering a patch's unwind entries with libgcc in the process (ehreg.h). */
#include "user/ehreg.h"

#include "util/log.h"
#include "util/testpoint.h"

#include <string.h>
#include <time.h>

#define CALL_TIMEOUT_NS 2000000000ULL	/* libgcc's lock is held only for short walks */
#define SAFE_TRIES 200

/*
 * May t run libgcc's registration now? Not while t itself is inside libgcc
 * (it might hold libgcc's object lock, which the call takes: a deadlock), nor
 * inside the C library unless blocked in a system call (a stop inside malloc
 * or free, which libgcc's deregistration calls, would deadlock as well).
 */
static bool safe_point(struct unwinder *u, struct lp_thread *t, const struct proc_maps *pm,
		       const struct proc_object *libgcc)
{
	struct user_regs_struct *r = sess_regs(t);
	const struct proc_object *top;
	uint64_t pcs[64];
	bool complete;
	int n;

	if (!r)
		return false;
	top = maps_object_at(pm, r->rip);
	if (top && top->path && strstr(top->path, "/libc.so") && (long long)r->orig_rax < 0)
		return false;
	n = unwind_thread(u, t, pcs, 64, &complete);
	for (int i = 0; i < n; i++)
		if (pcs[i] >= libgcc->exec_lo && pcs[i] < libgcc->exec_hi)
			return false;
	return true;
}

/* Let t run a moment until it stops at a safe point; -1 if it never does (printed). */
static int wait_safe(struct lp_session *s, struct lp_thread *t, struct unwinder *u,
		     const struct proc_maps *pm, uint64_t func)
{
	const struct proc_object *libgcc = maps_object_at(pm, func);

	if (!libgcc) {
		lp_err("process %d: no object maps the unwinder's code at %#llx", (int)s->pid,
		       (unsigned long long)func);
		return -1;
	}
	for (int i = 0; i < SAFE_TRIES; i++) {
		struct timespec nap = { 0, 1000000 };

		if (safe_point(u, t, pm, libgcc))
			return 0;
		if (sess_resume(s, t))
			return -1;
		nanosleep(&nap, NULL);
		if (sess_stop(s, t))
			return -1;
	}
	lp_err("process %d: thread %d stayed inside the C library or libgcc; the patch's unwind "
	       "entries cannot be registered safely", (int)s->pid, (int)t->tid);
	lp_hint("try again when the process is less busy");
	return -1;
}

/* The registration record of region a in the process says eh: 0, or -1 (printed). */
static int record(struct lp_session *s, const struct applied *a, const struct lp_region_eh *eh)
{
	if (!state_set_eh(s->pid, a, eh))
		return 0;
	lp_perr("process %d: cannot record the state of patch %s's unwind entries in its header",
		(int)s->pid, a->hdr->name);
	return -1;
}

/*
 * Call func(arg0, arg1) in t, the record saying during (unknown outcome)
 * from before the call until it returned, then after.
 */
static int call_recorded(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
			 const struct applied *a, struct lp_region_eh *eh, uint64_t func,
			 long arg0, long arg1, uint32_t during, uint32_t after, const char *point)
{
	const long args[6] = { arg0, arg1 };

	eh->state = during;
	if (record(s, a, eh))
		return -1;
	test_kill_point(during == EH_REGISTERING ? "eh-registering" : "eh-deregistering");
	if (remote_call(s, t, g, func, args, CALL_TIMEOUT_NS))
		return -1;
	test_kill_point(point);
	eh->state = after;
	return record(s, a, eh);
}

int ehreg_register(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		   struct unwinder *u, struct resolver *rs, const struct applied *a)
{
	struct lp_region_eh *cur = region_eh(a->hdr, NULL), eh;
	struct resolution reg, dereg;
	int rc;

	if (!cur || !cur->frame || cur->state != EH_NONE)
		return 0;
	rc = resolve_exported(rs, "__register_frame_info", &reg);
	if (rc == 0)
		rc = resolve_exported(rs, "__deregister_frame_info", &dereg);
	if (rc > 0) {
		lp_debug("process %d: no unwinder exports __register_frame_info; unwind entries not "
			 "registered", (int)s->pid);
		return 0;
	}
	if (rc < 0)
		return -1;
	if (wait_safe(s, t, u, rs->pm, reg.value))
		return -1;
	eh = *cur;
	eh.deregister = dereg.value;
	if (call_recorded(s, t, g, a, &eh, reg.value, (long)eh.frame, (long)eh.object,
			  EH_REGISTERING, EH_REGISTERED, "eh-registered"))
		return -1;
	lp_debug("process %d: unwind entries at %#llx registered with %s", (int)s->pid,
		 (unsigned long long)eh.frame, reg.where);
	return 0;
}

int ehreg_deregister(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		     struct unwinder *u, const struct proc_maps *pm, const struct applied *a)
{
	struct lp_region_eh *cur = region_eh(a->hdr, NULL), eh;

	if (!cur || cur->state == EH_NONE)
		return 0;
	if (cur->state != EH_REGISTERED) {
		lp_err("process %d: an interrupted lpatch run left the unwind entries of patch %s "
		       "%s; libgcc may still read them", (int)s->pid, a->hdr->name,
		       cur->state == EH_REGISTERING ? "being registered" : "being deregistered");
		return -1;
	}
	if (wait_safe(s, t, u, pm, cur->deregister))
		return -1;
	eh = *cur;
	return call_recorded(s, t, g, a, &eh, eh.deregister, (long)eh.frame, 0, EH_DEREGISTERING,
			     EH_NONE, "eh-deregistered");
}
