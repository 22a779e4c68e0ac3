/* The differ's report: a short text for people, JSON for tools. */
#include "diff.h"

#include "util/json.h"
#include "util/str.h"

#include <stdio.h>

static const char *kind_name(enum diff_kind k)
{
	switch (k) {
	case DIFF_CHANGED: return "changed";
	case DIFF_NEW_FUNC: return "new function";
	case DIFF_NEW_DATA: return "new data";
	}
	return "?";
}

void diff_report_text(const struct diff_result *r, const char *object)
{
	size_t klp = 0;

	for (size_t i = 0; i < r->nitems; i++) {
		const struct diff_item *it = &r->items[i];
		if (it->kind == DIFF_CHANGED && it->sympos)
			printf("%s: %s %s (sympos %ld)\n", object, kind_name(it->kind), it->name, it->sympos);
		else
			printf("%s: %s %s\n", object, kind_name(it->kind), it->name);
	}
	for (size_t i = 0; i < r->nbindings; i++)
		klp += r->bindings[i].klp;
	if (r->nitems)
		printf("%s: %zu references bound at load time (%zu through livepatch relocations)\n",
		       object, r->nbindings, klp);
	for (size_t i = 0; i < r->nnotes; i++)
		printf("%s: note: %s\n", object, r->notes[i].what);
	for (size_t i = 0; i < r->nrefusals; i++)
		printf("%s: refused: %s\n", object, r->refusals[i].why);
}

static void add_items(struct json *j, const char *key, const struct diff_result *r,
		      enum diff_kind kind)
{
	json_karr_begin(j, key);
	for (size_t i = 0; i < r->nitems; i++) {
		if (r->items[i].kind != kind)
			continue;
		if (kind == DIFF_CHANGED) {
			json_obj_begin(j);
			json_kstr(j, "name", r->items[i].name);
			json_kint(j, "sympos", r->items[i].sympos);
			json_obj_end(j);
		} else {
			json_str(j, r->items[i].name);
		}
	}
	json_arr_end(j);
}

char *diff_report_json(const struct diff_result *r, const char *object)
{
	struct strbuf sb = {0};
	struct json j;

	json_init(&j, &sb, JSON_SPACED);
	json_obj_begin(&j);
	json_kstr(&j, "object", object);
	json_kstr(&j, "source", r->source ? r->source : "");
	add_items(&j, "changed", r, DIFF_CHANGED);
	add_items(&j, "new_functions", r, DIFF_NEW_FUNC);
	add_items(&j, "new_data", r, DIFF_NEW_DATA);
	json_karr_begin(&j, "bindings");
	for (size_t i = 0; i < r->nbindings; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "symbol", r->bindings[i].symbol);
		json_kint(&j, "sympos", r->bindings[i].sympos);
		json_kbool(&j, "klp", r->bindings[i].klp);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_karr_begin(&j, "notes");
	for (size_t i = 0; i < r->nnotes; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "symbol", r->notes[i].symbol);
		json_kstr(&j, "what", r->notes[i].what);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_karr_begin(&j, "refusals");
	for (size_t i = 0; i < r->nrefusals; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "symbol", r->refusals[i].symbol);
		json_kstr(&j, "why", r->refusals[i].why);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	sb_add(&sb, "\n");
	return sb_take(&sb);
}
