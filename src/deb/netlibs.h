/*
 * libcurl, opened on first use. Only the snapshot fallback (snapshot.c)
 * talks HTTP, and libcurl pulls in some thirty libraries (TLS, Kerberos,
 * LDAP, IDN): linked into lpatch, their loading added about 8 ms to every
 * run of every command on the reference machine, including `lpatch
 * hook-apply` at the start of a patched process and each `lpatch diff`.
 * dlopen keeps that cost where the network is used.
 */
#ifndef LPATCH_DEB_NETLIBS_H
#define LPATCH_DEB_NETLIBS_H

#include <curl/curl.h>

#define NETLIBS_CURL_SONAME "libcurl.so.4"

struct netlibs {
	/* libcurl */
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode rc);
	char *(*easy_escape)(CURL *h, const char *s, int n);
	void (*free)(void *p);
};

/* libcurl, opened and initialised once; NULL with an error printed (dlerror's
 * reason, the Debian package that ships it). */
const struct netlibs *netlibs(void);

#endif
