/* Finding the patches applied to a process, from the headers in its memory. */
#include "user/state.h"

#include "user/mem.h"
#include "util/str.h"
#include "util/testpoint.h"

#include <errno.h>
#include <stddef.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static int cmp_seq(const void *a, const void *b)
{
	const struct applied *x = a, *y = b;
	return x->hdr->seq < y->hdr->seq ? -1 : x->hdr->seq > y->hdr->seq;
}

int state_scan(const struct proc_maps *pm, struct applied **out, size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < pm->n; i++) {
		const struct mapping *m = &pm->m[i];
		struct lp_region_hdr h;
		struct applied *a;

		/* Our regions: private, anonymous, the header page read-only. */
		if (m->path[0] || m->shared || m->prot != PROT_READ || m->end - m->start < sizeof(h))
			continue;
		if (rmem_read(pm->pid, m->start, &h, sizeof(h)) ||
		    memcmp(h.magic, LP_REGION_MAGIC, 8) || h.version != 1 ||
		    h.hdr_size < sizeof(h) || h.hdr_size > (1u << 20) ||
		    h.nfuncs > (h.hdr_size - sizeof(h)) / sizeof(struct lp_region_func))
			continue;
		a = ARRAY_PUSH(*out, *n, cap);
		a->base = m->start;
		a->hdr = xmalloc(h.hdr_size + 1);
		if (rmem_read(pm->pid, m->start, a->hdr, h.hdr_size)) {
			free(a->hdr);
			(*n)--;
			continue;
		}
		((char *)a->hdr)[h.hdr_size] = '\0';
		a->hdr->name[sizeof(a->hdr->name) - 1] = '\0';
		a->hdr->build_id[sizeof(a->hdr->build_id) - 1] = '\0';
		a->hdr->object[sizeof(a->hdr->object) - 1] = '\0';
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), cmp_seq);
	return 0;
}

void state_free(struct applied *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].hdr);
	free(a);
}

const char *region_state_name(uint32_t state)
{
	switch (state) {
	case REGION_LOADED: return "loaded";
	case REGION_ACTIVE: return "active";
	case REGION_APPLYING: return "applying";
	case REGION_REVERTING: return "reverting";
	case REGION_REVERTED: return "reverted";
	}
	return "unknown";
}

int state_set(pid_t pid, const struct applied *a, uint32_t state)
{
	if (test_fail(state == REGION_LOADED ? "state-loaded" : state == REGION_ACTIVE ?
		      "state-active" : state == REGION_REVERTED ? "state-reverted" : "state-other")) {
		errno = EIO;
		return -1;
	}
	if (rmem_write(pid, a->base + offsetof(struct lp_region_hdr, state), &state, sizeof(state)))
		return -1;
	a->hdr->state = state;
	return 0;
}

struct lp_region_eh *region_eh(const struct lp_region_hdr *h, uint64_t *off)
{
	uint64_t at = h->hdr_size - sizeof(struct lp_region_eh);
	struct lp_region_eh *eh;

	if (h->hdr_size < sizeof(*h) + h->nfuncs * sizeof(h->funcs[0]) + sizeof(*eh) || at % 8)
		return NULL;
	eh = (struct lp_region_eh *)((char *)h + at);
	if (memcmp(eh->magic, LP_REGION_EH_MAGIC, 8))
		return NULL;
	if (off)
		*off = at;
	return eh;
}

int state_set_eh(pid_t pid, const struct applied *a, const struct lp_region_eh *eh)
{
	uint64_t off;
	struct lp_region_eh *cur = region_eh(a->hdr, &off);

	if (!cur) {
		errno = EINVAL;
		return -1;
	}
	if (test_fail("state-eh") || rmem_write(pid, a->base + off, eh, sizeof(*eh)))
		return -1;
	*cur = *eh;
	return 0;
}

bool state_func_live(pid_t pid, const struct lp_region_func *f)
{
	uint64_t site = f->old_addr + f->site_off;
	unsigned char cur[5];
	int32_t rel;

	if (rmem_read(pid, site, cur, sizeof(cur)) || cur[0] != 0xe9)
		return false;
	memcpy(&rel, cur + 1, sizeof(rel));
	return site + 5 + (uint64_t)(int64_t)rel == f->new_addr;
}

const char *region_func_name(const struct lp_region_hdr *h, const struct lp_region_func *f)
{
	if (f->name_off >= h->hdr_size)
		return "?";
	return (const char *)h + f->name_off;
}

const struct applied *state_winner(const struct applied *a, size_t n, uint64_t old_addr,
				   const struct applied *skip, const struct lp_region_func **fn)
{
	for (size_t i = n; i-- > 0;) {
		if (&a[i] == skip || !region_live(a[i].hdr))
			continue;
		for (uint32_t k = 0; k < a[i].hdr->nfuncs; k++)
			if (a[i].hdr->funcs[k].old_addr == old_addr) {
				if (fn)
					*fn = &a[i].hdr->funcs[k];
				return &a[i];
			}
	}
	return NULL;
}
