/* A set of strings: open addressing with linear probing, grown at half full. */
#include "util/strset.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static char **find(char **slot, size_t cap, const char *s)
{
	size_t i = hash(s) & (cap - 1);

	while (slot[i] && strcmp(slot[i], s))
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

static void grow(struct strset *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	char **slot = xcalloc(cap, sizeof(char *));

	for (size_t i = 0; i < set->cap; i++)
		if (set->slot[i])
			*find(slot, cap, set->slot[i]) = set->slot[i];
	free(set->slot);
	set->slot = slot;
	set->cap = cap;
}

bool strset_add(struct strset *set, const char *s)
{
	char **at;

	if (2 * (set->n + 1) > set->cap)
		grow(set);
	at = find(set->slot, set->cap, s);
	if (*at)
		return false;
	*at = xstrdup(s);
	set->n++;
	return true;
}

bool strset_has(const struct strset *set, const char *s)
{
	return set->cap && *find(set->slot, set->cap, s) != NULL;
}

void strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}
