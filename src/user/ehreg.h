/*
 * A patch's unwind entries registered with the process's own unwinder, so
 * that a C++ exception thrown in, or through, patched code finds its
 * handlers: libgcc's __register_frame_info(frame, object), called in the
 * process with the region's zero-terminated .eh_frame and a writable
 * struct object in the region, on apply; __deregister_frame_info(frame)
 * before the region is unmapped. The state of the registration is kept in
 * the region's header (state.h, struct lp_region_eh) so that a later lpatch
 * knows whether libgcc holds the entries. docs/design.md, "Exceptions
 * through patched code", says why this way and what it costs.
 */
#ifndef LPATCH_USER_EHREG_H
#define LPATCH_USER_EHREG_H

#include "user/remote.h"
#include "user/resolve.h"
#include "user/state.h"
#include "user/unwind.h"

/*
 * Register region a's entries, calling libgcc in stopped thread t while the
 * other threads run. Nothing to do (0) when the region has no entries or no
 * object of the process exports __register_frame_info (a program without
 * libgcc's unwinder, which then has no exceptions to throw). -1 on errors
 * (printed): the region is then not registered, or in an unknown state
 * (EH_REGISTERING) if the call did not return.
 */
int ehreg_register(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		   struct unwinder *u, struct resolver *rs, const struct applied *a);
/*
 * Take region a's entries out of libgcc again (thread t stopped, the others
 * running; nothing runs the region's code any more). 0 when the region may be
 * unmapped; -1 (printed) when libgcc may still hold them: keep it mapped.
 */
int ehreg_deregister(struct lp_session *s, struct lp_thread *t, const struct remote_gadgets *g,
		     struct unwinder *u, const struct proc_maps *pm, const struct applied *a);

#endif
