/*
 * lpatch load: check a livepatch module against the running kernel, insert
 * it, follow its transition, and when the transition stalls past the
 * timeout either force it (only when asked twice) or back the patch out.
 */
#include "host/ops.h"

#include "host/kmsg.h"
#include "host/modsig.h"
#include "host/patchinfo.h"
#include "host/quarantine.h"
#include "host/store.h"
#include "host/sysfs.h"
#include "host/transition.h"
#include "util/log.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BACKOUT_TIMEOUT_MS 30000

static const char *insert_advice(int err)
{
	switch (err) {
	case EEXIST:
		return "a module of that name is already loaded";
	case ENOEXEC:
		return "the kernel found the module malformed or for another kernel";
	case EKEYREJECTED:
	case EPERM:
	case ENOKEY:
		return "module signature or lockdown policy (check `cat /sys/kernel/security/lockdown`)";
	case ENOENT:
	case EINVAL:
		return "a symbol or livepatch relocation it needs was not found (the kernel log says which)";
	default:
		return NULL;
	}
}

/* Why the kernel wants a signature, in words; NULL when it does not. */
static char *sig_demand(const struct sig_policy *p)
{
	bool locked = p->lockdown && strcmp(p->lockdown, "none");

	if (p->secure_boot == 1 && locked)
		return xasprintf("Secure Boot is on, so the kernel is locked down (%s) and loads "
				 "only modules signed by a key it trusts", p->lockdown);
	if (locked)
		return xasprintf("the kernel is locked down (%s) and loads only modules signed by "
				 "a key it trusts", p->lockdown);
	if (p->enforce)
		return xstrdup("the kernel enforces module signatures (module.sig_enforce) and "
			       "loads only modules signed by a key it trusts");
	return NULL;
}

static char *trusted_list(const struct sig_policy *p)
{
	struct strbuf sb = {0};

	for (size_t i = 0; i < p->ntrusted; i++)
		sb_addf(&sb, "%s'%s'", i ? ", " : "", p->trusted[i]);
	return sb_take(&sb);
}

/*
 * A refusal that may be the signature's: say who signed the module, what
 * the kernel demands and trusts, and the way through. false when the
 * kernel demands no signature (the refusal is something else).
 */
static bool explain_signature(const char *ko)
{
	struct sig_policy p;
	struct modsig s;
	char *demand, *keys;
	bool trusted, bad;

	sig_policy_read(NULL, &p);
	if (!(demand = sig_demand(&p))) {
		sig_policy_free(&p);
		return false;
	}
	keys = p.ntrusted ? trusted_list(&p) : xstrdup("(its key list is not readable here)");
	bad = modsig_read(ko, &s) != 0;
	trusted = s.signed_ && sig_policy_trusts(&p, s.signer);
	if (bad) {
		lp_hint("%s; %s carries a signature lpatch cannot read: rebuild or re-sign it",
			demand, ko);
	} else if (!s.signed_) {
		lp_hint("%s is not signed, and %s", ko, demand);
	} else if (trusted) {
		lp_hint("%s is signed (%s) by '%s', a key this kernel trusts, and was still refused: "
			"the file changed after it was signed; rebuild or re-sign it", ko,
			s.hash ? s.hash : "?", s.signer);
	} else {
		lp_hint("%s is signed (%s) by '%s' (%s %s), a key this kernel does not trust; %s. It "
			"trusts: %s", ko, s.hash ? s.hash : "?", s.signer ? s.signer : "?",
			s.serial ? "serial" : "key id", s.serial ? s.serial : s.key_id ? s.key_id : "?",
			demand, keys);
	}
	if (!trusted)
		lp_hint("have the kernel trust your key: enroll its certificate as a Machine Owner "
			"Key with `mokutil --import CERT.der` (DER form: `openssl x509 -in CERT.pem "
			"-outform DER -out CERT.der`), reboot, and confirm the key in MokManager on the "
			"console; then build the module signed with it (`lpatch build ... --sign-key "
			"KEY --sign-cert CERT`, docs/host.md)");
	modsig_free(&s);
	sig_policy_free(&p);
	free(demand);
	free(keys);
	return true;
}

static int insert(const char *ko, const char *name)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), err;
	const char *why;

	if (fd < 0) {
		lp_perr("cannot open %s", ko);
		return -1;
	}
	if (syscall(SYS_finit_module, fd, "", 0) == 0) {
		close(fd);
		return 0;
	}
	err = errno;
	close(fd);
	lp_err("the kernel refused module %s (%s): %s", name, ko, strerror(err));
	if ((err == EKEYREJECTED || err == EPERM || err == ENOKEY) && explain_signature(ko))
		;
	else if ((why = insert_advice(err)))
		lp_hint("%s", why);
	kmsg_show_recent(name, 8);
	return -1;
}

/* The transition did not finish: reverse it, wait, remove the module. */
static int back_out(const char *name, unsigned timeout_s, int stalled)
{
	int ret = LP_EXIT_STALLED;

	lp_progress("%s: giving up; reversing the transition", name);
	if (transition_disable(name))
		return LP_EXIT_FAIL;
	if (transition_wait(name, BACKOUT_TIMEOUT_MS) || transition_wait_gone(name, BACKOUT_TIMEOUT_MS)) {
		lp_err("%s: reversing the transition has not finished either; the patch stays "
		       "loaded and the kernel keeps trying", name);
		transition_report_stalled(name);
		lp_hint("see `lpatch status`; `lpatch unload %s` when the tasks above have moved on", name);
		return LP_EXIT_FAIL;
	}
	if (host_rmmod(name))
		return LP_EXIT_FAIL;
	lp_err("%s was not applied: %d task%s stayed in the functions it replaces for %u s, so "
	       "the kernel could not switch %s; the patch was disabled and its module removed "
	       "(nothing changed)", name, stalled, stalled == 1 ? "" : "s", timeout_s,
	       stalled == 1 ? "it" : "them");
	lp_hint("retry when the system is quieter, with a longer --timeout, or (knowing the risk) "
		"--force --yes-i-know");
	return ret;
}

static int finish_transition(const char *name, const struct host_opts *o)
{
	int stalled;

	lp_progress("%s: transition to patched started", name);
	if (!transition_wait(name, o->timeout_s * 1000u))
		return 0;
	stalled = transition_report_stalled(name);
	if (!stalled) {
		struct klp_live st;

		/* it finished between the last poll and the report: applied, keep it */
		klp_state(name, &st);
		if (st.registered && st.enabled && !st.transition)
			return 0;
	}
	if (!o->force)
		return back_out(name, o->timeout_s, stalled);
	lp_warn("%s: forcing the transition (--force): the kernel no longer checks that the "
		"tasks above left the old functions, and the module can never be removed", name);
	if (transition_force(name))
		return LP_EXIT_FAIL;
	if (transition_wait(name, BACKOUT_TIMEOUT_MS)) {
		lp_err("%s: the forced transition has not finished", name);
		return LP_EXIT_FAIL;
	}
	return 0;
}

static int refuse_loaded(const char *ko, const char *name, const struct klp_live *st)
{
	if (st->registered && st->enabled)
		lp_err("%s: patch %s is already loaded and enabled", ko, name);
	else if (st->registered)
		lp_err("%s: patch %s is loaded and being disabled", ko, name);
	else
		lp_err("%s: module %s is still loaded (its patch was replaced or disabled)", ko, name);
	if (!st->registered || !st->enabled)
		lp_hint("remove it first: `lpatch unload %s`", name);
	return LP_EXIT_REFUSED;
}

int host_load_checked(const char *ko, const struct patch_info *pi, const char *release,
		      const struct host_opts *o)
{
	struct klp_live st;
	int ret;

	if (!klp_supported()) {
		lp_err("cannot load %s: this kernel has no livepatch support (%s is missing)", ko,
		       KLP_SYSFS);
		lp_hint("the kernel needs CONFIG_LIVEPATCH=y");
		return LP_EXIT_FAIL;
	}
	klp_state(pi->name, &st);
	if (st.module || st.registered)
		return refuse_loaded(ko, pi->name, &st);
	if (host_load_depends(ko, pi))
		return LP_EXIT_FAIL;
	lp_progress("loading %s (%s) into %s", pi->name, ko, release);
	/* recorded first: a crash while it loads counts (quarantine.h) */
	quarantine_note_load(o->root, pi->name);
	if (insert(ko, pi->name)) {
		quarantine_forget(o->root, pi->name);
		return LP_EXIT_FAIL;
	}
	klp_state(pi->name, &st);
	if (!st.registered) {
		lp_err("module %s loaded but registered no livepatch in %s; removing it", pi->name,
		       KLP_SYSFS);
		host_rmmod(pi->name);
		quarantine_forget(o->root, pi->name);
		return LP_EXIT_FAIL;
	}
	ret = finish_transition(pi->name, o);
	klp_state(pi->name, &st);
	if (!st.module)
		quarantine_forget(o->root, pi->name);
	else
		quarantine_schedule_settle(o->root);
	return ret;
}

int host_load(const char *ko, const struct host_opts *o, struct patch_info *pi)
{
	char *release = host_release();
	int ret = host_check_module(ko, release, pi);
	char *why = NULL;

	if (!ret && quarantine_is(o->root, pi->name, &why)) {
		lp_err("%s is quarantined: %s", pi->name, why);
		lp_hint("when the crash had another cause, `lpatch quarantine --lift %s`, then load it again",
			pi->name);
		ret = LP_EXIT_REFUSED;
	}
	free(why);
	if (!ret)
		ret = host_load_checked(ko, pi, release, o);
	free(release);
	return ret;
}
