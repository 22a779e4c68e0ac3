/*
 * Module signing. kbuild signs modules with scripts/sign-file, the hash of
 * CONFIG_MODULE_SIG_HASH, the key and its certificate; the signature is a
 * PKCS#7 blob appended to the module with a small trailer. lpatch runs the
 * target's own sign-file (built by modules_prepare in the prepared tree, or
 * the headers' copy), so the format is the one that kernel verifies.
 */
#include "kernel/sign.h"

#include "target/kconfig.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tool.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The target's sign-file: the prepared source tree's, else the headers'. */
static char *sign_file(const struct kernel_target *t)
{
	const char *roots[] = { t->src, t->headers };

	for (size_t i = 0; i < sizeof(roots) / sizeof(*roots); i++) {
		char *p;

		if (!roots[i])
			continue;
		p = path_join(roots[i], "scripts/sign-file");
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static bool readable(const char *what, const char *path)
{
	if (!strncmp(path, "pkcs11:", 7))
		return true;
	if (access(path, R_OK) == 0)
		return true;
	lp_perr("cannot read the signing %s %s", what, path);
	return false;
}

int kernel_sign_check(const struct kernel_target *t, const struct kernel_sign *s)
{
	char *tool, *hash;
	int ret = LP_OK;

	if (!readable("key", s->key) || !readable("certificate", s->cert))
		return LP_REFUSED;
	if (!(tool = sign_file(t))) {
		lp_err("cannot sign for %s: neither its prepared source tree nor its headers have "
		       "scripts/sign-file", t->release);
		lp_hint("prepare the tree with `make modules_prepare` (it builds sign-file), or sign "
			"later with the target's own scripts/sign-file");
		return LP_FAIL;
	}
	free(tool);
	hash = t->config ? config_value(t->config, "MODULE_SIG_HASH") : NULL;
	if (!hash) {
		lp_err("cannot sign for %s: its config sets no CONFIG_MODULE_SIG_HASH (the kernel "
		       "was built without module signing, so it checks no signature)", t->release);
		lp_hint("build without --sign-key");
		ret = LP_REFUSED;
	}
	free(hash);
	return ret;
}

int kernel_sign_module(const struct kernel_target *t, const struct kernel_sign *s,
		       const char *in, const char *out)
{
	char *tool = sign_file(t), *hash = t->config ? config_value(t->config, "MODULE_SIG_HASH") : NULL;
	char *dir = NULL, *tmp = NULL, *log = NULL;
	int ret = -1;

	if (!tool || !hash) {
		lp_err("cannot sign %s for %s: no scripts/sign-file or CONFIG_MODULE_SIG_HASH", in,
		       t->release);
		goto out;
	}
	if (!(dir = make_temp_dir("sign")))
		goto out;
	tmp = path_join(dir, "signed.ko");
	log = path_join(dir, "sign-file.log");
	{
		const char *argv[] = { tool, hash, s->key, s->cert, in, tmp, NULL };
		char *doing = xasprintf("signing %s with %s (%s)", in, s->key, hash);
		int r = tool_run(argv, NULL, log, doing);

		free(doing);
		if (r) {
			lp_hint("the key must be the certificate's private key, in PEM form (sign-file "
				"reads the certificate as PEM or DER)");
			goto out;
		}
	}
	if (atomic_install(tmp, out, 0644))
		goto out;
	lp_progress("signed %s with %s (%s)", out, s->cert, hash);
	ret = 0;
out:
	if (dir)
		rm_rf(dir);
	free(dir);
	free(tmp);
	free(log);
	free(tool);
	free(hash);
	return ret;
}
