/*
 * __LINE__ moves: when lines above a printk, WARN or might_sleep move, the
 * only difference in a function is the line number loaded as an argument
 * (mov $line, %reg) before a call to the reporting function. That is not a
 * functional change.
 */
#include "internal.h"

#include <string.h>

/* Functions that take a line number as an argument. */
static bool reports_line(const char *name)
{
	static const char *const names[] = {
		"_printk", "printk", "__warn_printk", "__might_sleep", "__might_resched",
		"__might_fault", "lockdep_rcu_suspicious", "__dynamic_pr_debug",
		"__dynamic_dev_dbg", "__dynamic_netdev_dbg", "_dev_err", "_dev_warn",
		"_dev_info", "_dev_notice", "__cant_sleep", "__cant_migrate", "warn_slowpath_fmt",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Is the first call after offset `from` (within a few relocations) to a reporting function? */
static bool reporting_call_follows(const struct section *sec, uint64_t from)
{
	const struct section *rs = sec->rela;
	int seen = 0;

	for (size_t i = 0; rs && i < rs->nrel && seen < 6; i++) {
		const struct reloc *r = &rs->rel[i];
		if (r->offset < from)
			continue;
		seen++;
		if ((r->type == R_X86_64_PLT32 || r->type == R_X86_64_PC32) && r->offset >= 1 &&
		    sec->data[r->offset - 1] == 0xe8)
			return reports_line(r->sym->name);
	}
	return false;
}

/* Start of a "mov $imm32, %r32" whose immediate holds byte i, or -1. */
static long mov_imm_at(const unsigned char *x, uint64_t i)
{
	for (uint64_t j = i >= 4 ? i - 4 : 0; j < i; j++)
		if (x[j] >= 0xb8 && x[j] <= 0xbf && i < j + 5)
			return (long)j;
	return -1;
}

bool diff_line_only_change(const struct section *a, const struct section *b)
{
	bool any = false;

	if (a->size != b->size || !a->data || !b->data)
		return false;
	for (uint64_t i = 0; i < a->size; i++) {
		long j;

		if (a->data[i] == b->data[i])
			continue;
		j = mov_imm_at(a->data, i);
		if (j < 0 || a->data[j] != b->data[j] || elf_reloc_in(a, (uint64_t)j, (uint64_t)j + 5, NULL) ||
		    !reporting_call_follows(a, (uint64_t)j + 5) || !reporting_call_follows(b, (uint64_t)j + 5))
			return false;
		any = true;
		i = (uint64_t)j + 4;
	}
	return any;
}
