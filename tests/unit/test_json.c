/* The JSON writer: layouts, separators, escaping, empty containers. */
#include "unit.h"

#include "diff/diff.h"
#include "util/json.h"

/* One object with every kind of value, in style: its text. */
static char *sample(enum json_style style)
{
	struct strbuf sb = {0};
	struct json j;

	json_init(&j, &sb, style);
	json_obj_begin(&j);
	json_kstr(&j, "s", "a\"b\\c\nd\te\x01");
	json_kstr(&j, "null", NULL);
	json_kint(&j, "neg", -3);
	json_kuint(&j, "big", 18446744073709551615ull);
	json_kbool(&j, "t", true);
	json_key(&j, "us");
	json_fixed(&j, 12.34, 1);
	json_key(&j, "hex");
	json_strf(&j, "%#llx", 0x1234ull);
	json_karr_begin(&j, "empty");
	json_arr_end(&j);
	json_kobj_begin(&j, "none");
	json_obj_end(&j);
	json_karr_begin(&j, "list");
	json_obj_begin(&j);
	json_kint(&j, "n", 1);
	json_obj_end(&j);
	json_str(&j, "x");
	json_arr_end(&j);
	json_obj_end(&j);
	return sb_take(&sb);
}

static void compact(void)
{
	char *s = sample(JSON_COMPACT);

	CHECK_STR(s, "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\",\"null\":null,\"neg\":-3,"
		  "\"big\":18446744073709551615,\"t\":true,\"us\":12.3,\"hex\":\"0x1234\","
		  "\"empty\":[],\"none\":{},\"list\":[{\"n\":1},\"x\"]}");
	free(s);
}

static void spaced(void)
{
	char *s = sample(JSON_SPACED);

	CHECK_STR(s, "{\"s\": \"a\\\"b\\\\c\\nd\\te\\u0001\", \"null\": null, \"neg\": -3, "
		  "\"big\": 18446744073709551615, \"t\": true, \"us\": 12.3, \"hex\": \"0x1234\", "
		  "\"empty\": [], \"none\": {}, \"list\": [{\"n\": 1}, \"x\"]}");
	free(s);
}

static void pretty(void)
{
	char *s = sample(JSON_PRETTY);

	CHECK_STR(s, "{\n  \"s\": \"a\\\"b\\\\c\\nd\\te\\u0001\",\n  \"null\": null,\n  \"neg\": -3,\n"
		  "  \"big\": 18446744073709551615,\n  \"t\": true,\n  \"us\": 12.3,\n"
		  "  \"hex\": \"0x1234\",\n  \"empty\": [],\n  \"none\": {},\n  \"list\": [\n"
		  "    {\n      \"n\": 1\n    },\n    \"x\"\n  ]\n}");
	free(s);
}

/* A top-level array; bytes that are not UTF-8 must not leave the output invalid. */
static void array_and_bad_utf8(void)
{
	struct strbuf sb = {0};
	struct json j;

	json_init(&j, &sb, JSON_COMPACT);
	json_arr_begin(&j);
	json_str(&j, "caf\xc3\xa9");
	json_str(&j, "bad\xff");
	json_fixed(&j, 1.0 / 0.0, 1);
	json_arr_end(&j);
	CHECK_STR(sb.buf, "[\"caf\xc3\xa9\",\"bad\\ufffd\",null]");
	sb_free(&sb);
}

/* lpatch diff --json keeps its spaced layout. */
static void diff_report(void)
{
	struct diff_item items[] = {
		{ DIFF_CHANGED, "f", 2 }, { DIFF_NEW_FUNC, "g", 0 }, { DIFF_NEW_FUNC, "h", 0 },
		{ DIFF_CHANGED, "k", 0 },
	};
	struct diff_binding b[] = { { "printk", 0, false }, { "secret", 1, true } };
	struct diff_refusal refs[] = { { "v", "a \"global\"" } };
	struct diff_result r = { .source = "x.c", .items = items, .nitems = 4, .bindings = b,
				 .nbindings = 2, .refusals = refs, .nrefusals = 1 };
	struct diff_result none = { 0 };
	char *s = diff_report_json(&r, "x.o");

	CHECK_STR(s, "{\"object\": \"x.o\", \"source\": \"x.c\", \"changed\": [{\"name\": \"f\", "
		  "\"sympos\": 2}, {\"name\": \"k\", \"sympos\": 0}], \"new_functions\": [\"g\", \"h\"], "
		  "\"new_data\": [], \"bindings\": [{\"symbol\": \"printk\", \"sympos\": 0, \"klp\": false}, "
		  "{\"symbol\": \"secret\", \"sympos\": 1, \"klp\": true}], \"notes\": [], \"refusals\": [{\"symbol\": "
		  "\"v\", \"why\": \"a \\\"global\\\"\"}]}\n");
	free(s);
	s = diff_report_json(&none, "y.o");
	CHECK_STR(s, "{\"object\": \"y.o\", \"source\": \"\", \"changed\": [], \"new_functions\": [], "
		  "\"new_data\": [], \"bindings\": [], \"notes\": [], \"refusals\": []}\n");
	free(s);
}

int main(void)
{
	RUN(compact);
	RUN(spaced);
	RUN(pretty);
	RUN(array_and_bad_utf8);
	RUN(diff_report);
	return unit_done();
}
