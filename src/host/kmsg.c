/* Recent kernel log lines from /dev/kmsg. */
#include "host/kmsg.h"

#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kmsg_show_recent(const char *word, int max)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char **ring = xcalloc((size_t)max, sizeof(*ring)), buf[8192];
	int n = 0;
	ssize_t r;

	if (fd < 0) {
		free(ring);
		return;
	}
	/* each read returns one record: "prio,seq,usec,flags;text\n" */
	while ((r = read(fd, buf, sizeof(buf) - 1)) > 0 || (r < 0 && errno == EPIPE)) {
		char *text;

		if (r <= 0)
			continue;	/* EPIPE: records were overwritten; go on */
		buf[r] = '\0';
		if (!(text = strchr(buf, ';')))
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		if (!strstr(text, word) && !strstr(text, "livepatch"))
			continue;
		free(ring[n % max]);
		ring[n % max] = xstrdup(text);
		n++;
	}
	close(fd);
	if (n)
		fprintf(stderr, "lpatch: kernel log:\n");
	for (int i = n > max ? n - max : 0; i < n; i++)
		fprintf(stderr, "  %s\n", ring[i % max]);
	for (int i = 0; i < max; i++)
		free(ring[i]);
	free(ring);
}
