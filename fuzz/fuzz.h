/*
 * Shared by the libFuzzer targets in fuzz/: each input becomes a file in a
 * private directory (the readers take paths, as lpatch does), and lpatch's
 * messages are kept quiet (run with -close_fd_mask=3 to drop the errors too).
 */
#ifndef LPATCH_FUZZ_FUZZ_H
#define LPATCH_FUZZ_FUZZ_H

#include "util/fs.h"
#include "util/log.h"
#include "util/str.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_dir;

static inline void fuzz_cleanup(void)
{
	rm_rf(fuzz_dir);
}

/* dir/name, holding data: the same path every run (the caller frees it). */
static inline char *fuzz_file(const char *name, const void *data, size_t size)
{
	char *path;

	if (!fuzz_dir) {
		const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
		char tmpl[256];

		snprintf(tmpl, sizeof(tmpl), "%s/lpatch-fuzz.XXXXXX", base);
		if (!mkdtemp(tmpl))
			abort();
		fuzz_dir = xstrdup(tmpl);
		atexit(fuzz_cleanup);
		lp_quiet = true;
	}
	path = xasprintf("%s/%s", fuzz_dir, name);
	if (write_file(path, data, size))
		abort();
	return path;
}

#endif
