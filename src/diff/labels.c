/*
 * References through local labels (.LC0) into merged string sections: GNU
 * as keeps the label instead of a section symbol for some references, so
 * the two builds are compared by the strings referenced, never by the
 * label's name (.LC0 may hold another string in each build).
 */
#include "internal.h"

#include <string.h>

/* GNU as's .LC0 (no type), clang's .L.str.3 (an object) */
static bool string_label(const struct symbol *s)
{
	return (s->type == STT_NOTYPE || s->type == STT_OBJECT) && s->bind == STB_LOCAL && s->sec &&
	       diff_is_strings(s->sec);
}

/* A reference into a merged string section holding such labels: by the
 * section symbol and an offset, it means the string there too. */
static bool labelled_strings(const struct symbol *s)
{
	return s->type == STT_SECTION && s->sec && s->sec->priv && diff_is_strings(s->sec) &&
	       DSEC(s->sec)->shared;
}

const char *diff_string_at(const struct reloc *r, size_t *room)
{
	const struct section *sec = r->sym->sec;
	int64_t off = (int64_t)r->sym->s.st_value + diff_target_offset(r);

	if (r->sym->type == STT_SECTION)
		off = diff_target_offset(r);
	if (!sec || !sec->data || off < 0 || (uint64_t)off >= sec->size)
		return NULL;
	*room = sec->size - (size_t)off;
	return (const char *)sec->data + off;
}

bool diff_string_refs(const struct reloc *ra, const struct reloc *rb, bool *equal)
{
	const char *a, *b;
	size_t na, nb;

	if (!string_label(ra->sym) && !string_label(rb->sym) && !labelled_strings(ra->sym) &&
	    !labelled_strings(rb->sym))
		return false;
	a = diff_string_at(ra, &na);
	b = diff_string_at(rb, &nb);
	*equal = a && b && ra->type == rb->type && (ra->sym->type == STT_SECTION ||
						    string_label(ra->sym)) &&
		 (rb->sym->type == STT_SECTION || string_label(rb->sym)) &&
		 strnlen(a, na) == strnlen(b, nb) && !strncmp(a, b, na);
	return true;
}
