#include "vm/console.h"

#include "util/str.h"

#include <stdlib.h>
#include <string.h>

/* What the kernel prints when something went wrong (include/asm-generic/bug.h,
 * arch/x86/kernel/dumpstack.c, kernel/panic.c, lib/list_debug.c, ...). */
static const char *const triggers[] = {
	"Kernel panic", "Oops:", "BUG:", "kernel BUG at", "WARNING:", "Call Trace:",
	"general protection fault", "Unable to handle kernel", "RIP:", "stack segment:",
	"double fault:", "UBSAN:", "KASAN:", "KFENCE:", "list_add corruption",
	"list_del corruption", "INFO: task", "rcu_sched detected stall",
	"rcu_preempt detected stall", "Kernel BUG", NULL,
};

#define CONTEXT_BEFORE 3	/* a "cut here" line precedes the WARNING/BUG line */
#define CONTEXT_AFTER 80	/* at most this far to the end of a trace */
#define CONTEXT_DEFAULT 25	/* when no end-of-trace marker shows up */
#define EXCERPT_MAX 200

struct lines {
	char **v;
	size_t n, cap;
};

static void split(const char *log, struct lines *l)
{
	for (const char *s = log; *s;) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char *line = xstrndup(s, len);
		char *w = line;

		/* serial line ends are \r\n; drop every \r */
		for (char *r = line; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		*w = '\0';
		*ARRAY_PUSH(l->v, l->n, l->cap) = line;
		s += len + (e ? 1 : 0);
	}
}

/* The message of a console line, past the "[    1.234567] " timestamp. */
static const char *message(const char *line)
{
	const char *end;

	if (line[0] == '[' && (end = strstr(line, "] ")))
		return end + 2;
	return line;
}

static bool is_trigger(const char *line)
{
	const char *msg = message(line);

	for (const char *const *t = triggers; *t; t++)
		if (strstr(msg, *t))
			return true;
	return false;
}

static bool is_end_marker(const char *line)
{
	return strstr(line, "---[ end trace") || strstr(line, "---[ end Kernel panic");
}

/* After an oops' end marker the kernel dumps the registers once more. */
static bool is_register_dump(const char *line)
{
	static const char *const prefixes[] = {
		"RIP:", "Code:", "RSP:", "RAX:", "RDX:", "RBP:", "R10:", "R13:", "FS:", "CS:",
		"CR2:", "PKRU:", "note:", "Kernel Offset:", NULL,
	};
	const char *msg = message(line);

	for (const char *const *p = prefixes; *p; p++)
		if (str_starts(msg, *p))
			return true;
	return false;
}

/* The last line of the report that starts at i: its end-of-trace marker, else
 * (a panic that reboots at once prints none) the end of its stack dump, with
 * the register dump that may follow either. */
static size_t report_end(const struct lines *l, size_t i)
{
	size_t end = 0;
	bool found = false;

	for (size_t j = i; j < l->n && j <= i + CONTEXT_AFTER && !found; j++)
		if (is_end_marker(l->v[j]))
			end = j, found = true;
	for (size_t j = i; j < l->n && j <= i + CONTEXT_AFTER && !found; j++)
		if (strstr(message(l->v[j]), "</TASK>"))
			end = j, found = true;
	if (!found)
		return i + CONTEXT_DEFAULT < l->n ? i + CONTEXT_DEFAULT : l->n - 1;
	while (end + 1 < l->n && is_register_dump(l->v[end + 1]))
		end++;
	return end;
}

static size_t report_start(const struct lines *l, size_t i, size_t floor)
{
	for (size_t j = i; j > floor && j + CONTEXT_BEFORE >= i; j--)
		if (strstr(l->v[j - 1], "[ cut here ]"))
			return j - 1;
	return i;
}

void console_scan(const char *log, struct console_report *r)
{
	struct lines l = {0};
	struct strbuf ex = {0};
	size_t shown = 0, omitted = 0, covered = 0;	/* lines [0, covered) are reported */
	bool any = false;

	memset(r, 0, sizeof(*r));
	split(log ? log : "", &l);
	for (size_t i = 0; i < l.n; i++) {
		size_t start, end;

		if (strstr(message(l.v[i]), "Kernel panic - not syncing"))
			r->panic = true;
		if (i < covered || !is_trigger(l.v[i]))
			continue;
		if (!r->first)
			r->first = xstrdup(message(l.v[i]));
		r->nproblems++;
		start = report_start(&l, i, covered);
		end = report_end(&l, i);
		if (any && start > covered)
			sb_add(&ex, "  ...\n");
		for (size_t j = start; j <= end; j++) {
			if (shown >= EXCERPT_MAX) {
				omitted++;
				continue;
			}
			sb_addf(&ex, "  %s\n", l.v[j]);
			shown++;
		}
		covered = end + 1;
		any = true;
	}
	if (omitted)
		sb_addf(&ex, "  ... (%zu more lines)\n", omitted);
	r->excerpt = any ? sb_take(&ex) : NULL;
	sb_free(&ex);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
}

void console_report_free(struct console_report *r)
{
	free(r->first);
	free(r->excerpt);
	memset(r, 0, sizeof(*r));
}
