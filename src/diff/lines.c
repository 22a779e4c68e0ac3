/*
 * __LINE__ moves: when lines above a printk, WARN or might_sleep move, the
 * only difference in a function is the line number loaded as an argument
 * (mov $line, %reg) before a call to the reporting function. That is not a
 * functional change.
 */
#include "internal.h"

#include <ctype.h>
#include <string.h>

/* Functions that take a line number as an argument. */
static bool reports_line(const char *name)
{
	static const char *const names[] = {
		"_printk", "printk", "__warn_printk", "__might_sleep", "___might_sleep",
		"__might_resched", "lockdep_warn_suspicious", "warn_slowpath_null",
		/* btrfs_abort_transaction(), btrfs_handle_fs_error(), btrfs_panic() */
		"__btrfs_abort_transaction", "__btrfs_handle_fs_error", "__btrfs_panic",
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
	size_t idx = 0;
	const struct reloc *r;

	for (int seen = 0; seen < 6 && (r = elf_reloc_in(sec, from, UINT64_MAX, &idx)); seen++)
		if ((r->type == R_X86_64_PLT32 || r->type == R_X86_64_PC32) && r->offset >= 1 &&
		    sec->data[r->offset - 1] == 0xe8)
			return reports_line(r->sym->name);
	return false;
}

/* Start of a "mov $imm32, %r32" whose immediate holds byte i, from `after`
 * on, or -1. Bytes before an instruction can look like a mov opcode too
 * ("jne" with displacement 0xba): the caller tries each candidate. */
static long mov_imm_at(const unsigned char *x, uint64_t i, long after)
{
	for (uint64_t j = i >= 4 ? i - 4 : 0; j < i; j++)
		if ((long)j > after && x[j] >= 0xb8 && x[j] <= 0xbf && i < j + 5)
			return (long)j;
	return -1;
}

/* The mov at j loads an argument register (%edi, %esi, %edx, %ecx, %r8d,
 * %r9d): a line number passed on. A constant loaded into any other
 * register (ret = -EINVAL kept in %ebx) is the function's own. */
static bool loads_argument(const unsigned char *x, uint64_t j)
{
	if (j >= 1 && (x[j - 1] & 0xf0) == 0x40)
		return x[j - 1] == 0x41 && (x[j] == 0xb8 || x[j] == 0xb9);
	return x[j] == 0xbf || x[j] == 0xbe || x[j] == 0xba || x[j] == 0xb9;
}

static int64_t imm32(const unsigned char *x, uint64_t j)
{
	return (int64_t)((uint32_t)x[j + 1] | (uint32_t)x[j + 2] << 8 | (uint32_t)x[j + 3] << 16 |
			 (uint32_t)x[j + 4] << 24);
}

static bool line_number(int64_t v)
{
	return v > 0 && v < 1000000;
}

/* The mov at j, in both a and b, loads an argument for a reporting call. */
static bool line_argument(const struct section *a, const struct section *b, uint64_t j)
{
	return j + 5 <= a->size && a->data[j] == b->data[j] &&
	       (j < 1 || a->data[j - 1] == b->data[j - 1]) && loads_argument(a->data, j) &&
	       !elf_reloc_in(a, j, j + 5, NULL) && line_number(imm32(a->data, j)) &&
	       line_number(imm32(b->data, j)) && reporting_call_follows(a, j + 5) &&
	       reporting_call_follows(b, j + 5);
}

bool diff_line_only_change(struct differ *d, const struct section *a, const struct section *b)
{
	bool any = false;
	int64_t shift = 0;

	if (a->size != b->size || !a->data || !b->data)
		return false;
	for (uint64_t i = 0; i < a->size; i++) {
		long j;
		int64_t va, vb;

		if (a->data[i] == b->data[i])
			continue;
		for (j = mov_imm_at(a->data, i, -1); j >= 0 && !line_argument(a, b, (uint64_t)j);
		     j = mov_imm_at(a->data, i, j))
			;
		if (j < 0)
			return false;
		/* every moved line moves by the same amount (lines added above) */
		va = imm32(a->data, (uint64_t)j);
		vb = imm32(b->data, (uint64_t)j);
		if (!line_number(va) || !line_number(vb) || (any && vb - va != shift))
			return false;
		/* and as far as the instruction's own source line moved, where the
		 * line tables tell: a changed constant stays on its line */
		{
			int la = diff_source_line(d, a, (uint64_t)j);
			int lb = diff_source_line(d, b, (uint64_t)j);
			if (la && lb && lb - la != vb - va)
				return false;
		}
		shift = vb - va;
		any = true;
		i = (uint64_t)j + 4;
	}
	return any;
}

/* Does the number at s[at] follow a file name and a colon ("x86.c:", "bug.h:")?
 * A file name here: name characters, a dot, and a short extension of letters. */
static bool after_file_name(const char *s, size_t at)
{
	size_t k = at, ext = 0;

	if (k < 4 || s[--k] != ':')
		return false;
	while (k > 0 && isalpha((unsigned char)s[k - 1]) && ext < 4) {
		k--;
		ext++;
	}
	return ext >= 1 && ext <= 3 && k >= 2 && s[k - 1] == '.' &&
	       (isalnum((unsigned char)s[k - 2]) || s[k - 2] == '_' || s[k - 2] == '-');
}

/* The decimal number at s[*i] (at most 9 digits; more: -1), *i moved past it. */
static int64_t number_at(const char *s, size_t n, size_t *i)
{
	int64_t v = 0;
	size_t start = *i;

	while (*i < n && isdigit((unsigned char)s[*i])) {
		if (*i - start == 9)
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	return v;
}

bool diff_line_only_string(struct differ *d, const struct section *a, const struct reloc *ra,
			   const struct section *b, const struct reloc *rb)
{
	size_t na, nb, i = 0, j = 0;
	const char *sa, *sb;
	int64_t shift = 0;
	bool any = false;
	int la, lb;

	if (ra->type != rb->type || !diff_is_text(a) || !diff_is_text(b) ||
	    !ra->sym->sec || !rb->sym->sec || !diff_is_strings(ra->sym->sec) ||
	    !diff_is_strings(rb->sym->sec) || !(sa = diff_string_at(ra, &na)) ||
	    !(sb = diff_string_at(rb, &nb)))
		return false;
	na = strnlen(sa, na);
	nb = strnlen(sb, nb);
	while (i < na || j < nb) {
		if (i < na && j < nb && isdigit((unsigned char)sa[i]) &&
		    isdigit((unsigned char)sb[j])) {
			size_t i0 = i, j0 = j;
			int64_t va = number_at(sa, na, &i), vb = number_at(sb, nb, &j);
			if (va < 0 || vb < 0)
				return false;
			if (va == vb && i - i0 == j - j0)
				continue;
			/* a line number quoted after its file, moved as the others did */
			if (!line_number(va) || !line_number(vb) || !after_file_name(sa, i0) ||
			    !after_file_name(sb, j0) || (any && vb - va != shift))
				return false;
			shift = vb - va;
			any = true;
			continue;
		}
		if (i >= na || j >= nb || sa[i] != sb[j])
			return false;
		i++;
		j++;
	}
	if (!any)
		return false;
	/* and the statement loading the string moved as far: a quoted line
	 * that changed where its statement stayed is a changed string */
	la = diff_source_line(d, a, ra->offset);
	lb = diff_source_line(d, b, rb->offset);
	return la && lb && lb - la == shift;
}
