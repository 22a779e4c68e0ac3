/*
 * The one JSON writer behind every --json output: streamed into a strbuf as
 * the caller walks its data (no tree is built), strings escaped, separators
 * placed by the writer (never a trailing comma), in one of three layouts.
 *
 *	struct strbuf sb = {0};
 *	struct json j;
 *	json_init(&j, &sb, JSON_COMPACT);
 *	json_obj_begin(&j);
 *	json_kstr(&j, "name", name);		// NULL writes null
 *	json_key(&j, "cves");
 *	json_arr_begin(&j);
 *	...
 *	json_arr_end(&j);
 *	json_obj_end(&j);
 *	json_print(&j);				// the text and a newline on stdout
 */
#ifndef LPATCH_UTIL_JSON_H
#define LPATCH_UTIL_JSON_H

#include "util/str.h"

#include <stdbool.h>

enum json_style {
	JSON_COMPACT,	/* {"a":1,"b":[1,2]} */
	JSON_SPACED,	/* {"a": 1, "b": [1, 2]} */
	JSON_PRETTY,	/* one member per line, indented by two spaces per level */
};

#define JSON_MAX_DEPTH 32

struct json {
	struct strbuf *sb;
	enum json_style style;
	int depth;			/* open containers */
	bool any[JSON_MAX_DEPTH];	/* the container at that depth has a member */
	bool object[JSON_MAX_DEPTH];	/* ... and is an object (needs keys) */
	bool keyed;			/* a key was written; its value comes next */
};

void json_init(struct json *j, struct strbuf *sb, enum json_style style);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
/* The key of the next value, in an object. */
void json_key(struct json *j, const char *key);

/* Values. A NULL string is null. Text not UTF-8 becomes U+FFFD: the output stays JSON. */
void json_str(struct json *j, const char *s);
void json_strf(struct json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v);
/* v with decimals digits after the point (%.*f); null when not finite. */
void json_fixed(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Key and value at once, in an object. */
void json_kstr(struct json *j, const char *key, const char *s);
void json_kint(struct json *j, const char *key, long long v);
void json_kuint(struct json *j, const char *key, unsigned long long v);
void json_kbool(struct json *j, const char *key, bool v);
/* Key, then an object or array opens: close it with json_obj_end or json_arr_end. */
void json_kobj_begin(struct json *j, const char *key);
void json_karr_begin(struct json *j, const char *key);

/* Every container closed: the text and a newline on stdout in one write, and
 * the buffer emptied. Returns 0, or -1 when stdout fails. */
int json_print(struct json *j);

#endif
