/* Strings: JSON escaping keeps output valid whatever bytes come in. */
#include "util/str.h"
#include "unit.h"

static char *json(const char *s)
{
	struct strbuf sb = {0};

	sb_add_json_str(&sb, s);
	return sb_take(&sb);
}

static void escapes_specials(void)
{
	char *j = json("a\"b\\c\nd\te\x01");

	CHECK_STR(j, "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
	free(j);
}

static void keeps_utf8(void)
{
	char *j = json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");

	CHECK_STR(j, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\"");
	free(j);
}

/* stray bytes, a cut sequence, an overlong form, a surrogate: each one U+FFFD */
static void replaces_invalid_bytes(void)
{
	char *j = json("x\xff y\xc3 z\xc0\xaf w\xed\xa0\x80");

	CHECK_STR(j, "\"x\\ufffd y\\ufffd z\\ufffd\\ufffd w\\ufffd\\ufffd\\ufffd\"");
	free(j);
}

int main(void)
{
	RUN(escapes_specials);
	RUN(keeps_utf8);
	RUN(replaces_invalid_bytes);
	return unit_done();
}
