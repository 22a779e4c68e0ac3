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
	eh.state = EH_REGISTERING;
	eh.deregister = dereg.value;
	if (state_set_eh(s->pid, a, &eh)) {
		lp_perr("process %d: cannot record the registration of the patch's unwind entries",
			(int)s->pid);
		return -1;
	}
	test_kill_point("eh-registering");
	{
		const long args[6] = { (long)eh.frame, (long)eh.object };
		if (remote_call(s, t, g, reg.value, args, CALL_TIMEOUT_NS))
			return -1;
	}
	test_kill_point("eh-registered");
	eh.state = EH_REGISTERED;
	if (state_set_eh(s->pid, a, &eh)) {
		lp_perr("process %d: cannot record the registration of the patch's unwind entries",
			(int)s->pid);
		return -1;
	}
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
	eh.state = EH_DEREGISTERING;
	if (state_set_eh(s->pid, a, &eh)) {
		lp_perr("process %d: cannot record the deregistration of the patch's unwind entries",
			(int)s->pid);
		return -1;
	}
	{
		const long args[6] = { (long)eh.frame };
		if (remote_call(s, t, g, eh.deregister, args, CALL_TIMEOUT_NS))
			return -1;
	}
	test_kill_point("eh-deregistered");
	eh.state = EH_NONE;
	if (state_set_eh(s->pid, a, &eh)) {
		lp_perr("process %d: cannot record the deregistration of the patch's unwind entries",
			(int)s->pid);
		return -1;
	}
	return 0;
}
