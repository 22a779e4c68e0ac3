/* libcurl through dlopen (netlibs.h says why). */
#include "deb/netlibs.h"

#include "util/log.h"

#include <dlfcn.h>
#include <string.h>

const struct netlibs *netlibs(void)
{
	static struct netlibs api;
	static int state;	/* 0 not tried, 1 ready, -1 failed */
	static const char *const names[] = {
		"curl_global_init", "curl_easy_init", "curl_easy_setopt", "curl_easy_perform",
		"curl_easy_getinfo", "curl_easy_cleanup", "curl_easy_strerror",
		"curl_easy_escape", "curl_free",
	};
	void *slots[] = {
		&api.global_init, &api.easy_init, &api.easy_setopt, &api.easy_perform,
		&api.easy_getinfo, &api.easy_cleanup, &api.easy_strerror, &api.easy_escape,
		&api.free,
	};
	void *h;

	if (state)
		return state > 0 ? &api : NULL;
	state = -1;
	if (!(h = dlopen(NETLIBS_CURL_SONAME, RTLD_NOW | RTLD_LOCAL))) {
		lp_err("cannot load %s, which lpatch needs to fetch from a snapshot archive: %s",
		       NETLIBS_CURL_SONAME, dlerror());
		lp_hint("install Debian's libcurl4 (apt-get install libcurl4)");
		return NULL;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		void *f = dlsym(h, names[i]);

		if (!f) {
			lp_err("%s has no %s: %s", NETLIBS_CURL_SONAME, names[i], dlerror());
			return NULL;
		}
		/* a function pointer is not a void *: copy the address into its slot */
		memcpy(slots[i], &f, sizeof(f));
	}
	if (api.global_init(CURL_GLOBAL_DEFAULT)) {
		lp_err("libcurl could not be initialised");
		return NULL;
	}
	state = 1;
	return &api;
}
