/*
 * Module signatures and the kernel's signature policy: what lpatch load
 * needs to explain a refused signature in a user's terms.
 */
#ifndef LPATCH_HOST_MODSIG_H
#define LPATCH_HOST_MODSIG_H

#include <stdbool.h>
#include <stddef.h>

/* The signature appended to a module file (kbuild's format). */
struct modsig {
	bool signed_;		/* it has a "~Module signature appended~" trailer */
	char *signer;		/* the signing certificate's issuer CN (what modinfo calls signer) */
	char *serial;		/* its serial number, hex */
	char *key_id;		/* or its subject key id, hex, when signed by key id */
	char *hash;		/* digest algorithm, e.g. sha256 */
};

/* Read path's signature. 0 (signed_ false when it has none), -1 with an
 * error when the file cannot be read or the signature is malformed. */
int modsig_read(const char *path, struct modsig *out);
/* The same on a module already in memory. */
int modsig_parse(const void *data, size_t len, struct modsig *out);
void modsig_free(struct modsig *s);

/* What the running kernel demands of a module's signature. */
struct sig_policy {
	int secure_boot;	/* 1 on, 0 off, -1 unknown (no EFI variables) */
	char *lockdown;		/* "none", "integrity", "confidentiality"; NULL: no LSM */
	bool enforce;		/* module.sig_enforce (or CONFIG_MODULE_SIG_FORCE) */
	char **trusted;		/* descriptions of the keys it verifies modules with */
	size_t ntrusted;
};

/* Read from the running kernel; root (or a root-like mount of /proc and /sys) is
 * enough. Never fails: what cannot be read stays unknown. Paths under root
 * ("" or NULL: /), so tests can point it at a copy. */
void sig_policy_read(const char *root, struct sig_policy *p);
void sig_policy_free(struct sig_policy *p);

/* Is a key whose description starts with "signer:" among the trusted ones? */
bool sig_policy_trusts(const struct sig_policy *p, const char *signer);

#endif
