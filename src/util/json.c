/* The JSON writer: separators, indentation and escaping in one place. */
#include "util/json.h"

#include "util/log.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* A caller that nests wrongly has a bug: stop before printing broken JSON. */
static void misuse(const char *what)
{
	lp_err("internal error: JSON writer: %s", what);
	abort();
}

void json_init(struct json *j, struct strbuf *sb, enum json_style style)
{
	*j = (struct json){ .sb = sb, .style = style };
}

static void newline(struct json *j, int depth)
{
	sb_add(j->sb, "\n");
	for (int i = 0; i < depth; i++)
		sb_add(j->sb, "  ");
}

/* Before a key, or a value that has no key: the separator from the member before. */
static void member(struct json *j)
{
	int d = j->depth;

	if (!d) {
		if (j->any[0])
			misuse("a second top-level value");
		j->any[0] = true;
		return;
	}
	if (j->any[d])
		sb_add(j->sb, j->style == JSON_SPACED ? ", " : ",");
	if (j->style == JSON_PRETTY)
		newline(j, d);
	j->any[d] = true;
}

/* Before any value. */
static void value(struct json *j)
{
	if (j->keyed) {
		j->keyed = false;
		return;
	}
	if (j->depth && j->object[j->depth])
		misuse("a value in an object without a key");
	member(j);
}

void json_key(struct json *j, const char *key)
{
	if (!j->depth || !j->object[j->depth] || j->keyed)
		misuse("a key outside an object, or two keys in a row");
	member(j);
	sb_add_json_str(j->sb, key);
	sb_add(j->sb, j->style == JSON_COMPACT ? ":" : ": ");
	j->keyed = true;
}

static void opening(struct json *j, bool object)
{
	value(j);
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		misuse("nested too deep");
	j->depth++;
	j->any[j->depth] = false;
	j->object[j->depth] = object;
	sb_add(j->sb, object ? "{" : "[");
}

static void closing(struct json *j, bool object)
{
	if (!j->depth || j->object[j->depth] != object || j->keyed)
		misuse(object ? "} without its {, or after a key" : "] without its [");
	if (j->style == JSON_PRETTY && j->any[j->depth])
		newline(j, j->depth - 1);
	j->depth--;
	sb_add(j->sb, object ? "}" : "]");
}

void json_obj_begin(struct json *j) { opening(j, true); }
void json_obj_end(struct json *j) { closing(j, true); }
void json_arr_begin(struct json *j) { opening(j, false); }
void json_arr_end(struct json *j) { closing(j, false); }

void json_str(struct json *j, const char *s)
{
	value(j);
	if (s)
		sb_add_json_str(j->sb, s);
	else
		sb_add(j->sb, "null");
}

void json_strf(struct json *j, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		misuse("out of memory");
	va_end(ap);
	json_str(j, s);
	free(s);
}

void json_int(struct json *j, long long v)
{
	value(j);
	sb_addf(j->sb, "%lld", v);
}

void json_uint(struct json *j, unsigned long long v)
{
	value(j);
	sb_addf(j->sb, "%llu", v);
}

void json_fixed(struct json *j, double v, int decimals)
{
	value(j);
	if (isfinite(v))
		sb_addf(j->sb, "%.*f", decimals, v);
	else
		sb_add(j->sb, "null");
}

void json_bool(struct json *j, bool v)
{
	value(j);
	sb_add(j->sb, v ? "true" : "false");
}

void json_null(struct json *j)
{
	value(j);
	sb_add(j->sb, "null");
}

void json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kint(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_kuint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_kbool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_kobj_begin(struct json *j, const char *key)
{
	json_key(j, key);
	json_obj_begin(j);
}

void json_karr_begin(struct json *j, const char *key)
{
	json_key(j, key);
	json_arr_begin(j);
}

int json_print(struct json *j)
{
	int ret;

	if (j->depth || !j->any[0])
		misuse("printed before its last container was closed");
	sb_add(j->sb, "\n");
	ret = fwrite(j->sb->buf, 1, j->sb->len, stdout) == j->sb->len && !fflush(stdout) ? 0 : -1;
	sb_free(j->sb);
	j->any[0] = false;
	return ret;
}
