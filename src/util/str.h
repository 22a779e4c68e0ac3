/* Allocation that cannot fail silently, and a growable string buffer. */
#ifndef LPATCH_UTIL_STR_H
#define LPATCH_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (of *cap elements of size elem) to hold at least need elements. */
void grow_array(void **arr, size_t *cap, size_t need, size_t elem);
#define ARRAY_PUSH(arr, n, cap) \
	(grow_array((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr))), &(arr)[(n)++])

bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

struct strbuf {
	char *buf;
	size_t len, cap;
};

void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included. */
void sb_add_json_str(struct strbuf *sb, const char *s);
void sb_free(struct strbuf *sb);
/* Take the buffer (never NULL) and reset sb. */
char *sb_take(struct strbuf *sb);

/* Insert a copy of s into the list of n strings kept in descending cmp
 * order (newest first for version orders), unless it is there already. */
void strv_insert_sorted(char ***list, size_t *n, size_t *cap, const char *s,
			int (*cmp)(const char *, const char *));
/* The n strings joined with ", " ("" when none); frees them and the list. */
char *strv_join_free(char **list, size_t n);

#endif
