/*
 * A module's appended signature, read the way the kernel reads it: the file
 * ends with struct module_signature and the magic string; before them is a
 * PKCS#7 (CMS) SignedData naming the signing key by issuer and serial number
 * or by subject key identifier. The CMS is parsed with OpenSSL's libcrypto,
 * the library kbuild's sign-file writes it with.
 *
 * The policy side: Secure Boot (the EFI SecureBoot variable), the lockdown
 * LSM, module.sig_enforce, and the asymmetric keys in /proc/keys (the
 * builtin, secondary, machine and platform keyrings' keys, by description
 * "CN: key id").
 */
#include "host/modsig.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)
#define PKEY_ID_PKCS7 2

/* include/linux/module_signature.h */
struct module_signature {
	uint8_t algo, hash, id_type, signer_len, key_id_len, pad[3];
	uint32_t sig_len;	/* big endian */
};

static char *hex(const unsigned char *p, size_t n)
{
	char *s = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", p[i]);
	s[2 * n] = '\0';
	return s;
}

static char *name_cn(X509_NAME *name)
{
	int i = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	ASN1_STRING *v;
	unsigned char *utf8 = NULL;
	char *s;
	int n;

	if (i < 0) {
		char buf[256];
		return name ? xstrdup(X509_NAME_oneline(name, buf, sizeof(buf))) : NULL;
	}
	v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	if ((n = ASN1_STRING_to_UTF8(&utf8, v)) < 0)
		return NULL;
	s = xstrndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return s;
}

static int parse_cms(const unsigned char *p, size_t len, struct modsig *out)
{
	const unsigned char *q = p;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, (long)len);
	STACK_OF(CMS_SignerInfo) *infos;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	X509_ALGOR *dig = NULL;
	int ret = -1;

	if (!cms)
		return -1;
	infos = CMS_get0_SignerInfos(cms);
	if (!infos || sk_CMS_SignerInfo_num(infos) < 1)
		goto out;
	si = sk_CMS_SignerInfo_value(infos, 0);
	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1)
		goto out;
	if (keyid)
		out->key_id = hex(ASN1_STRING_get0_data(keyid), (size_t)ASN1_STRING_length(keyid));
	if (issuer)
		out->signer = name_cn(issuer);
	if (serial) {
		BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
		char *h = bn ? BN_bn2hex(bn) : NULL;

		if (h)
			out->serial = xstrdup(h);
		OPENSSL_free(h);
		BN_free(bn);
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (dig) {
		const ASN1_OBJECT *obj;

		X509_ALGOR_get0(&obj, NULL, NULL, dig);
		out->hash = xstrdup(OBJ_nid2sn(OBJ_obj2nid(obj)));
		for (char *c = out->hash; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	ret = 0;
out:
	CMS_ContentInfo_free(cms);
	return ret;
}

int modsig_parse(const void *data, size_t len, struct modsig *out)
{
	const unsigned char *d = data;
	struct module_signature ms;
	size_t sig_len;

	memset(out, 0, sizeof(*out));
	if (len < SIG_MAGIC_LEN || memcmp(d + len - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN))
		return 0;
	out->signed_ = true;
	len -= SIG_MAGIC_LEN;
	if (len < sizeof(ms))
		return -1;
	memcpy(&ms, d + len - sizeof(ms), sizeof(ms));
	len -= sizeof(ms);
	sig_len = ((size_t)((uint8_t *)&ms.sig_len)[0] << 24) |
		  ((size_t)((uint8_t *)&ms.sig_len)[1] << 16) |
		  ((size_t)((uint8_t *)&ms.sig_len)[2] << 8) | ((uint8_t *)&ms.sig_len)[3];
	if (ms.id_type != PKEY_ID_PKCS7 || sig_len == 0 || sig_len > len)
		return -1;
	return parse_cms(d + len - sig_len, sig_len, out);
}

int modsig_read(const char *path, struct modsig *out)
{
	size_t len;
	char *data = read_file(path, &len);
	int ret;

	memset(out, 0, sizeof(*out));
	if (!data)
		return -1;
	ret = modsig_parse(data, len, out);
	if (ret)
		lp_err("%s: its appended signature is malformed (not kbuild's PKCS#7 format)", path);
	free(data);
	return ret;
}

void modsig_free(struct modsig *s)
{
	free(s->signer);
	free(s->serial);
	free(s->key_id);
	free(s->hash);
	memset(s, 0, sizeof(*s));
}

static char *under(const char *root, const char *path)
{
	return xasprintf("%s%s", root ? root : "", path);
}

static char *read_small(const char *root, const char *path, size_t *len)
{
	char *p = under(root, path), *s = read_file_quiet(p, len);

	free(p);
	return s;
}

/* The bracketed word of "none [integrity] confidentiality". */
static char *lockdown_mode(const char *text)
{
	const char *a = text ? strchr(text, '[') : NULL, *b = a ? strchr(a, ']') : NULL;

	return b ? xstrndup(a + 1, (size_t)(b - a - 1)) : NULL;
}

/* Asymmetric keys of /proc/keys: "ID FLAGS USAGE TIMEOUT PERM UID GID TYPE DESC: ..." */
static void read_keys(const char *root, struct sig_policy *p)
{
	char *text = read_small(root, "/proc/keys", NULL), *save = NULL;
	size_t cap = 0;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *type = strstr(line, " asymmetri ");
		char *desc, *end;

		if (!type)
			continue;
		desc = type + strlen(" asymmetri ");
		while (*desc == ' ')
			desc++;
		/* the description ends where the key type's own details begin */
		if ((end = strstr(desc, ": X509.")) || (end = strstr(desc, ": PKCS")))
			*end = '\0';
		*ARRAY_PUSH(p->trusted, p->ntrusted, cap) = xstrdup(desc);
	}
	free(text);
}

void sig_policy_read(const char *root, struct sig_policy *p)
{
	size_t len = 0;
	char *sb, *lock, *enf;

	memset(p, 0, sizeof(*p));
	if (root && !*root)
		root = NULL;
	sb = read_small(root, "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", &len);
	/* 4 bytes of attributes, then the value */
	p->secure_boot = sb && len >= 5 ? sb[4] == 1 : -1;
	if (!sb) {
		char *efi = under(root, "/sys/firmware/efi");

		if (!path_exists(efi))
			p->secure_boot = 0;	/* booted without EFI: no Secure Boot */
		free(efi);
	}
	free(sb);
	lock = read_small(root, "/sys/kernel/security/lockdown", NULL);
	p->lockdown = lockdown_mode(lock);
	free(lock);
	enf = read_small(root, "/sys/module/module/parameters/sig_enforce", NULL);
	p->enforce = enf && enf[0] == 'Y';
	free(enf);
	read_keys(root, p);
}

void sig_policy_free(struct sig_policy *p)
{
	for (size_t i = 0; i < p->ntrusted; i++)
		free(p->trusted[i]);
	free(p->trusted);
	free(p->lockdown);
	memset(p, 0, sizeof(*p));
}

bool sig_policy_trusts(const struct sig_policy *p, const char *signer)
{
	size_t n = signer ? strlen(signer) : 0;

	for (size_t i = 0; n && i < p->ntrusted; i++)
		if (!strncmp(p->trusted[i], signer, n) && p->trusted[i][n] == ':')
			return true;
	return false;
}
