/* The differ's report: a short text for people, JSON for tools. */
#include "diff.h"

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
	for (size_t i = 0; i < r->nrefusals; i++)
		printf("%s: refused: %s\n", object, r->refusals[i].why);
}

static void add_items(struct strbuf *sb, const struct diff_result *r, enum diff_kind kind)
{
	bool first = true;

	sb_add(sb, "[");
	for (size_t i = 0; i < r->nitems; i++) {
		if (r->items[i].kind != kind)
			continue;
		sb_add(sb, first ? "" : ", ");
		first = false;
		if (kind == DIFF_CHANGED) {
			sb_add(sb, "{\"name\": ");
			sb_add_json_str(sb, r->items[i].name);
			sb_addf(sb, ", \"sympos\": %ld}", r->items[i].sympos);
		} else {
			sb_add_json_str(sb, r->items[i].name);
		}
	}
	sb_add(sb, "]");
}

char *diff_report_json(const struct diff_result *r, const char *object)
{
	struct strbuf sb = {0};

	sb_add(&sb, "{\"object\": ");
	sb_add_json_str(&sb, object);
	sb_add(&sb, ", \"source\": ");
	sb_add_json_str(&sb, r->source ? r->source : "");
	sb_add(&sb, ", \"changed\": ");
	add_items(&sb, r, DIFF_CHANGED);
	sb_add(&sb, ", \"new_functions\": ");
	add_items(&sb, r, DIFF_NEW_FUNC);
	sb_add(&sb, ", \"new_data\": ");
	add_items(&sb, r, DIFF_NEW_DATA);
	sb_add(&sb, ", \"bindings\": [");
	for (size_t i = 0; i < r->nbindings; i++) {
		sb_add(&sb, i ? ", {\"symbol\": " : "{\"symbol\": ");
		sb_add_json_str(&sb, r->bindings[i].symbol);
		sb_addf(&sb, ", \"sympos\": %ld, \"klp\": %s}", r->bindings[i].sympos,
			r->bindings[i].klp ? "true" : "false");
	}
	sb_add(&sb, "], \"refusals\": [");
	for (size_t i = 0; i < r->nrefusals; i++) {
		sb_add(&sb, i ? ", {\"symbol\": " : "{\"symbol\": ");
		sb_add_json_str(&sb, r->refusals[i].symbol);
		sb_add(&sb, ", \"why\": ");
		sb_add_json_str(&sb, r->refusals[i].why);
		sb_add(&sb, "}");
	}
	sb_add(&sb, "]}\n");
	return sb_take(&sb);
}
