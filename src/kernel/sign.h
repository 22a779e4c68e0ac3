/* Signing a livepatch module as kbuild signs the target's own modules. */
#ifndef LPATCH_KERNEL_SIGN_H
#define LPATCH_KERNEL_SIGN_H

#include "target/target.h"

struct kernel_sign {
	const char *key;	/* private key, PEM (or a PKCS#11 URI) */
	const char *cert;	/* X.509 certificate, PEM or DER */
};

/*
 * Check, before any long step, that signing can work for target t: the key
 * and certificate are readable and the target has scripts/sign-file and a
 * CONFIG_MODULE_SIG_HASH. 0, or LP_FAIL / LP_REFUSED with the error printed.
 */
int kernel_sign_check(const struct kernel_target *t, const struct kernel_sign *s);

/*
 * Sign the module in (left untouched) into out, written atomically, with
 * the target's scripts/sign-file and its hash algorithm. 0, or -1 with the
 * error printed (sign-file's own message included); out is then not made.
 */
int kernel_sign_module(const struct kernel_target *t, const struct kernel_sign *s,
		       const char *in, const char *out);

#endif
