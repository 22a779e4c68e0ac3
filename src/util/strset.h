/* A set of strings (open addressing, owned copies). */
#ifndef LPATCH_UTIL_STRSET_H
#define LPATCH_UTIL_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slot;
	size_t n, cap;
};

/* Add s (copied); true when it was not there yet. */
bool strset_add(struct strset *set, const char *s);
bool strset_has(const struct strset *set, const char *s);
void strset_free(struct strset *set);

#endif
