/*
 * The differ: from an original and a patched build of one object, decide
 * which functions changed, what the patch must carry, and how each of its
 * references binds to the target. Shared by the kernel and process paths.
 */
#ifndef LPATCH_DIFF_DIFF_H
#define LPATCH_DIFF_DIFF_H

#include "diff/parent.h"
#include "elf/elf.h"

#include <stdbool.h>

enum diff_kind {
	DIFF_CHANGED,		/* exists in the target, body differs: redirected */
	DIFF_NEW_FUNC,		/* only in the patched build: carried along */
	DIFF_NEW_DATA,		/* new variable: carried along, allocated by the patch */
};

struct diff_item {
	enum diff_kind kind;
	char *name;		/* symbol name in the objects */
	long sympos;		/* DIFF_CHANGED: position of the target symbol (0: unique) */
};

struct diff_refusal {
	char *symbol;		/* the function, variable or section refused */
	char *why;
};

/* Something the author should know about what the patch carries: a
 * tracepoint left off in a patched copy, callers carried for a function
 * livepatch cannot redirect, init code left out. */
struct diff_note {
	char *symbol;		/* the function or key it is about */
	char *what;
};

/* A reference from the patch to the target that the loader must resolve. */
struct diff_binding {
	char *symbol;
	long sympos;
	bool klp;		/* resolved by livepatch (not exported) */
};

struct diff_result {
	char *source;		/* the source file both objects came from */
	struct diff_item *items;
	size_t nitems, itemcap;
	struct diff_refusal *refusals;
	size_t nrefusals, refusalcap;
	struct diff_binding *bindings;
	size_t nbindings, bindingcap;
	struct diff_note *notes;
	size_t nnotes, notecap;
	struct elf_file *out;	/* what the patch carries (NULL without changes) */
};

struct diff_opts {
	struct parent *parent;	/* the target object's symbols (required) */
	bool process;		/* a process patch (src/diff/process.c): no __fentry__ needed,
				 * references bind by name, bindings' klp = defined in the target */
	bool skip_init;		/* changed init code is left out (a note names it), not
				 * refused: the patch carries the runtime changes only */
};

/*
 * Compare two objects. Returns LP_EXIT_OK with result->out set when there
 * are changes, LP_EXIT_NOCHANGE when none, LP_EXIT_REFUSED when some change
 * is refused (result->refusals say which and why), LP_EXIT_FAIL on errors.
 */
int diff_objects(const char *orig, const char *patched, const struct diff_opts *opts,
		 struct diff_result *result);
void diff_result_free(struct diff_result *result);

/* The report: text for people, JSON for tools. */
void diff_report_text(const struct diff_result *r, const char *object);
char *diff_report_json(const struct diff_result *r, const char *object);

#endif
