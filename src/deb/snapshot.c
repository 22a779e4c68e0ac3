/*
 * Exact package versions the apt lists no longer carry, from a snapshot
 * archive: Debian's snapshot service (snapshot.debian.org) by default, or
 * any server that answers the same three requests (docs/kernel-builds.md):
 *
 *   BASE/mr/binary/PKG/                         {"result":[{"binary_version":V},...]}
 *   BASE/mr/binary/PKG/V/binfiles?fileinfo=1    {"result":[{"hash":H,"architecture":A}],
 *                                                "fileinfo":{H:[{"name":N,"size":S}]}}
 *   BASE/file/H                                 the .deb, whose SHA-1 is H
 *
 * A plain static HTTP server imitates it (the query is ignored, a directory
 * serves its index.html): scripts/snapshot-mirror.sh lays out a directory of
 * .debs that way. libcurl talks HTTP, json-c reads the answers, OpenSSL's
 * libcrypto hashes what arrives; libcurl is opened on first use
 * (netlibs.h).
 */
#include "deb/deb.h"
#include "deb/netlibs.h"

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <json-c/json.h>
#include <openssl/evp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAPSHOT_DEFAULT "https://snapshot.debian.org"
/* Kernel packages are built for amd64, or are "all" (source, headers-common). */
#define DEB_ARCH "amd64"

char *snapshot_url(void)
{
	const char *env = getenv("LPATCH_SNAPSHOT_URL");
	char *url;
	size_t n;

	if (env && !*env)
		return NULL;
	url = xstrdup(env ? env : SNAPSHOT_DEFAULT);
	while ((n = strlen(url)) > 0 && url[n - 1] == '/')
		url[n - 1] = '\0';
	return url;
}

/* Where an answer goes: memory (a JSON reply) or a file, hashed as it comes. */
struct sink {
	struct strbuf mem;
	FILE *file;
	EVP_MD_CTX *sha1;
	long long got;
	bool failed;		/* the file could not be written */
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	s->got += (long long)n;
	if (!s->file) {
		sb_addn(&s->mem, data, n);
		return n;
	}
	if (fwrite(data, 1, n, s->file) != n) {
		s->failed = true;
		return 0;
	}
	EVP_DigestUpdate(s->sha1, data, n);
	return n;
}

/*
 * GET url into s. 0 done; 1 the server says it has no such thing (HTTP 404 or
 * 410, *why set); -1 the archive cannot be reached or failed (*why set).
 */
static int http_get(const char *url, struct sink *s, char **why)
{
	const struct netlibs *api = netlibs();
	char err[CURL_ERROR_SIZE] = "";
	CURL *h;
	CURLcode rc;
	long status = 0;

	*why = NULL;
	if (!api) {
		*why = xstrdup("libcurl is not available (see above)");
		return -1;
	}
	if (!(h = api->easy_init())) {
		*why = xstrdup("libcurl could not be initialised");
		return -1;
	}
	api->easy_setopt(h, CURLOPT_URL, url);
	api->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	api->easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	api->easy_setopt(h, CURLOPT_USERAGENT, "lpatch");
	api->easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer ends: under 1 kB/s for a minute */
	api->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	api->easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	api->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	api->easy_setopt(h, CURLOPT_WRITEDATA, s);
	rc = api->easy_perform(h);
	api->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	api->easy_cleanup(h);
	if (rc == CURLE_OK && status >= 200 && status < 300)
		return 0;
	if (rc == CURLE_OK && (status == 404 || status == 410)) {
		*why = xasprintf("HTTP %ld: not in the archive", status);
		return 1;
	}
	if (rc == CURLE_OK)
		*why = xasprintf("HTTP %ld", status);
	else if (s->failed)
		*why = xasprintf("cannot write the download: %s", strerror(errno));
	else
		*why = xstrdup(*err ? err : api->easy_strerror(rc));
	return -1;
}

/* A path component escaped for a URL (a version's ':' and '+'). */
static char *escape(const char *s)
{
	const struct netlibs *api = netlibs();
	char *e = api ? api->easy_escape(NULL, s, 0) : NULL, *copy = xstrdup(e ? e : s);

	if (e)
		api->free(e);
	return copy;
}

/* GET url as JSON: 0 with *out, 1 not there, -1 failed (*why set for both). */
static int get_json(const char *url, json_object **out, char **why)
{
	struct sink s = {0};
	int r = http_get(url, &s, why);

	*out = NULL;
	if (!r) {
		*out = json_tokener_parse(s.mem.buf ? s.mem.buf : "");
		if (!*out) {
			*why = xstrdup("the answer is not JSON");
			r = -1;
		}
	}
	sb_free(&s.mem);
	return r;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int snapshot_versions(const char *pkg, char **versions, char **url_out)
{
	char *base = snapshot_url(), *epkg = NULL, *url = NULL, *why = NULL;
	json_object *root = NULL, *res;
	char **list = NULL;
	size_t n = 0, cap = 0;
	int r = 1;

	*versions = NULL;
	if (url_out)
		*url_out = NULL;
	if (!base)
		return 1;
	epkg = escape(pkg);
	url = xasprintf("%s/mr/binary/%s/", base, epkg);
	r = get_json(url, &root, &why);
	if (r < 0)
		lp_warn("cannot ask the snapshot archive which versions of %s it has: %s: %s", pkg,
			url, why);
	if (!r && json_object_object_get_ex(root, "result", &res) &&
	    json_object_is_type(res, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(res); i++) {
			const char *v = jstr(json_object_array_get_idx(res, i), "binary_version");

			if (v)
				strv_insert_sorted(&list, &n, &cap, v, deb_version_cmp);
		}
	}
	if (!r && !n)
		r = 1;
	*versions = strv_join_free(list, n);
	if (url_out)
		*url_out = url;
	else
		free(url);
	json_object_put(root);
	free(why);
	free(epkg);
	free(base);
	return r;
}

/* What the archive says of pkg at version: the file's SHA-1, name and size. */
struct snapshot_file {
	char *hash;
	char *name;
	long long size;
};

/* 0 found, else an error naming pkg, version and the URL asked (printed). */
static int lookup(const char *base, const char *pkg, const char *version,
		  struct snapshot_file *f)
{
	char *epkg = escape(pkg), *ever = escape(version), *why = NULL;
	char *url = xasprintf("%s/mr/binary/%s/%s/binfiles?fileinfo=1", base, epkg, ever);
	json_object *root = NULL, *res, *info, *files;
	int r = get_json(url, &root, &why);

	memset(f, 0, sizeof(*f));
	if (!r && json_object_object_get_ex(root, "result", &res) &&
	    json_object_is_type(res, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(res) && !f->hash; i++) {
			json_object *e = json_object_array_get_idx(res, i);
			const char *arch = jstr(e, "architecture"), *hash = jstr(e, "hash");

			if (hash && arch && (!strcmp(arch, DEB_ARCH) || !strcmp(arch, "all")))
				f->hash = xstrdup(hash);
		}
	}
	if (f->hash && json_object_object_get_ex(root, "fileinfo", &info) &&
	    json_object_object_get_ex(info, f->hash, &files) &&
	    json_object_is_type(files, json_type_array) && json_object_array_length(files)) {
		json_object *e = json_object_array_get_idx(files, 0), *size;
		const char *name = jstr(e, "name");

		f->name = name ? xstrdup(name) : NULL;
		f->size = json_object_object_get_ex(e, "size", &size) ? json_object_get_int64(size)
								      : -1;
	}
	if (r < 0) {
		lp_err("cannot fetch %s %s from the snapshot archive: %s: %s", pkg, version, url,
		       why);
		lp_hint("set LPATCH_SNAPSHOT_URL to a snapshot archive this machine can reach (or "
			"to \"\" to go without one), or put the .deb in lpatch's cache (debs/)");
	} else if (r > 0 || !f->hash) {
		lp_err("the snapshot archive has no %s %s for %s: %s", pkg, version, DEB_ARCH, url);
		r = -1;
	} else if (!f->name || f->size < 0 || strlen(f->hash) != 40) {
		lp_err("the snapshot archive's answer for %s %s has no file name, size or SHA-1: %s",
		       pkg, version, url);
		r = -1;
	}
	if (r)
		free(f->hash), free(f->name), memset(f, 0, sizeof(*f));
	json_object_put(root);
	free(why);
	free(url);
	free(ever);
	free(epkg);
	return r;
}

int snapshot_check(const char *pkg, const char *version)
{
	char *base = snapshot_url();
	struct snapshot_file f;
	int r;

	if (!base) {
		lp_err("%s %s is not in the apt lists, and no snapshot archive is set "
		       "(LPATCH_SNAPSHOT_URL is empty)", pkg, version);
		return -1;
	}
	r = lookup(base, pkg, version, &f);
	free(f.hash);
	free(f.name);
	free(base);
	return r;
}

/* The .deb at tmp is the package asked for (dpkg-deb reads its control). */
static int check_deb(const char *tmp, const char *pkg, const char *version, const char *url)
{
	char *name = deb_field(tmp, "Package"), *ver = deb_field(tmp, "Version");
	int r = 0;

	if (!name || !ver || strcmp(name, pkg) || strcmp(ver, version)) {
		lp_err("%s from the snapshot archive is not %s %s but %s %s", url, pkg, version,
		       name ? name : "(not a .deb dpkg-deb can read)", ver ? ver : "");
		r = -1;
	}
	free(name);
	free(ver);
	return r;
}

char *snapshot_fetch(const char *debs_dir, const char *pkg, const char *version)
{
	char *base = snapshot_url(), *prefix = NULL, *url = NULL, *path = NULL, *why = NULL;
	struct snapshot_file f = {0};
	struct atomic_out out = {0};
	struct sink s = {0};
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned mdlen = 0;
	int r;

	if (!base) {
		lp_err("%s %s is not in the apt lists, and no snapshot archive is set "
		       "(LPATCH_SNAPSHOT_URL is empty)", pkg, version);
		return NULL;
	}
	if (mkdir_p(debs_dir) || lookup(base, pkg, version, &f))
		goto out;
	/* the name apt-get download would give it, so the cache finds it */
	prefix = deb_file_prefix(pkg, version);
	if (!str_starts(f.name, prefix) || strchr(f.name, '/') || !str_ends(f.name, ".deb")) {
		lp_err("the snapshot archive names %s %s '%s', not %s*.deb", pkg, version, f.name,
		       prefix);
		goto out;
	}
	path = path_join(debs_dir, f.name);
	url = xasprintf("%s/file/%s", base, f.hash);
	lp_progress("downloading %s %s (%.*f MB) from the snapshot archive %s", pkg, version,
		    f.size < 10000000 ? 1 : 0, (double)f.size / 1e6, base);
	if (atomic_begin(&out, path))
		goto fail;
	s.file = fopen(out.tmp, "wb");
	s.sha1 = EVP_MD_CTX_new();
	if (!s.file || !s.sha1 || !EVP_DigestInit_ex(s.sha1, EVP_sha1(), NULL)) {
		lp_perr("cannot write %s", out.tmp);
		goto fail;
	}
	r = http_get(url, &s, &why);
	if (fclose(s.file) && !r) {
		s.file = NULL;
		lp_perr("cannot write %s", out.tmp);
		goto fail;
	}
	s.file = NULL;
	if (r) {
		lp_err("cannot fetch %s %s from the snapshot archive: %s: %s", pkg, version, url,
		       why);
		goto fail;
	}
	EVP_DigestFinal_ex(s.sha1, md, &mdlen);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (s.got != f.size || strcasecmp(hex, f.hash)) {
		lp_err("%s %s from the snapshot archive is damaged: %lld bytes with SHA-1 %s, but "
		       "the archive says %lld bytes with SHA-1 %s (%s)", pkg, version, s.got, hex,
		       f.size, f.hash, url);
		goto fail;
	}
	if (check_deb(out.tmp, pkg, version, url))
		goto fail;
	if (atomic_commit(&out))
		goto fail;
	goto out;
fail:
	if (s.file)
		fclose(s.file);
	if (out.tmp)
		atomic_abort(&out);
	free(path);
	path = NULL;
out:
	EVP_MD_CTX_free(s.sha1);
	free(out.path);
	free(out.tmp);
	free(f.hash);
	free(f.name);
	free(why);
	free(url);
	free(prefix);
	free(base);
	return path;
}
