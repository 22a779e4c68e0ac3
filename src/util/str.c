#include "str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("lpatch: error: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

void grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	if (!*arr) {
		/* calloc gets a big array as zero pages, with no memset to touch them */
		*arr = xcalloc(n, elem);
		*cap = n;
		return;
	}
	*arr = xrealloc(*arr, n * elem);
	memset((char *)*arr + *cap * elem, 0, (n - *cap) * elem);
	*cap = n;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	grow_array((void **)&sb->buf, &sb->cap, sb->len + n + 1, 1);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	sb_add(sb, s);
	free(s);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] > 0xf4 || s[0] < 0xc2)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0;	/* overlong, surrogate, beyond U+10FFFF */
	return n;
}

void sb_add_json_str(struct strbuf *sb, const char *s)
{
	sb_add(sb, "\"");
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n;

		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c == '\n')
			sb_add(sb, "\\n");
		else if (c == '\t')
			sb_add(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_addf(sb, "\\u%04x", c);
		else if (c < 0x80)
			sb_addn(sb, s, 1);
		else if ((n = utf8_len((const unsigned char *)s))) {
			sb_addn(sb, s, n);
			s += n;
			continue;
		} else {
			sb_add(sb, "\\ufffd");	/* not UTF-8: JSON must stay valid */
		}
		s++;
	}
	sb_add(sb, "\"");
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *sb_take(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

/* Insert s into the list of n strings kept newest first (by cmp), unless present. */
void strv_insert_sorted(char ***list, size_t *n, size_t *cap, const char *s,
			int (*cmp)(const char *, const char *))
{
	size_t i = 0;

	for (size_t j = 0; j < *n; j++)
		if (!strcmp((*list)[j], s))
			return;
	while (i < *n && cmp((*list)[i], s) > 0)
		i++;
	ARRAY_PUSH(*list, *n, *cap);
	memmove(&(*list)[i + 1], &(*list)[i], (*n - 1 - i) * sizeof(char *));
	(*list)[i] = xstrdup(s);
}

char *strv_join_free(char **list, size_t n)
{
	struct strbuf sb = {0};

	for (size_t i = 0; i < n; i++) {
		sb_addf(&sb, "%s%s", i ? ", " : "", list[i]);
		free(list[i]);
	}
	free(list);
	return sb_take(&sb);
}
