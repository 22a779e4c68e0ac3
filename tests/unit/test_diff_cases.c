/*
 * Differ cases of issue 3 on kernel fixtures (tests/fixtures/diff/NAME.c),
 * compiled with the target kernel's flags: each asserts the exact set of
 * included functions and data, or the exact refusal.
 */
#include "kfixture.h"
#include "unit.h"

/* once_flags: the patch carries its own WARN_ONCE flag, not vmlinux's. */
static void once_flag_fresh(const struct diff_result *r)
{
	bool fresh = false;

	for (size_t i = 0; i < r->nbindings; i++)
		CHECK(!str_starts(r->bindings[i].symbol, "__already_done"));
	for (size_t i = 1; r->out && i < r->out->nsym; i++)
		fresh |= str_starts(r->out->sym[i]->name, "__already_done") && r->out->sym[i]->sec;
	CHECK(fresh);	/* the patch carries its own flag */
}

/* data_shared_new: the new __read_mostly variable travels alone, in a
 * section of its own size; its neighbours bind to the target's. */
static void shared_new_alone(const struct diff_result *r)
{
	struct symbol *c = r->out ? elf_find_symbol(r->out, "fx_rmn_c") : NULL;
	bool bound_a = false, bound_b = false;

	CHECK(c && c->sec && c->sec->size == 4 && c->s.st_value == 0);
	for (size_t i = 1; r->out && i < r->out->nsym; i++)
		CHECK(!r->out->sym[i]->sec || (strcmp(r->out->sym[i]->name, "fx_rmn_a") &&
					       strcmp(r->out->sym[i]->name, "fx_rmn_b")));
	for (size_t i = 0; i < r->nbindings; i++) {
		bound_a |= !strcmp(r->bindings[i].symbol, "fx_rmn_a");
		bound_b |= !strcmp(r->bindings[i].symbol, "fx_rmn_b");
	}
	CHECK(bound_a && bound_b);
}

/* exit_changed as part of a module: its exit code is there until unload, so
 * the refusal is about __exit being notrace, never about freed init code. */
static void exit_in_module(const struct diff_result *builtin)
{
	char *o = kfix_orig("exit_changed"), *p = kfix_patched("exit_changed");
	struct diff_result r;

	CHECK(kfix_diff_paths(o, p, o, "fxmod", &r) == LP_EXIT_REFUSED);
	CHECK(kfix_refusal_says(&r, "module's exit code"));
	CHECK(!kfix_refusal_says(&r, "freed"));
	CHECK(!kfix_refusal_says(builtin, "freed"));
	diff_result_free(&r);
	free(o);
	free(p);
}

/* notrace_callers: fx_bind and fx_mid travel in the patch (not redirected),
 * the note names the redirected callers, fx_other stays out. */
static void notrace_carried(const struct diff_result *r)
{
	bool noted = false;

	CHECK(r->out && elf_find_symbol(r->out, "fx_bind") && elf_find_symbol(r->out, "fx_bind")->sec);
	CHECK(r->out && elf_find_symbol(r->out, "fx_mid") && elf_find_symbol(r->out, "fx_mid")->sec);
	CHECK(r->out && !elf_find_symbol(r->out, "fx_other"));
	for (size_t i = 0; i < r->nnotes; i++)
		noted |= !strcmp(r->notes[i].symbol, "fx_bind") &&
			 strstr(r->notes[i].what, "redirects its callers fx_conn_new(), fx_top()");
	CHECK(noted);
	if (!noted)
		for (size_t i = 0; i < r->nnotes; i++)
			fprintf(stderr, "    note: %s\n", r->notes[i].what);
}

/* init_and_runtime with skip_init: the runtime function is carried, the
 * init function left out and named in a note; nothing refused. */
static void init_skipped(const struct diff_result *refused)
{
	char *o = kfix_orig("init_and_runtime"), *p = kfix_patched("init_and_runtime");
	struct parent *par = parent_open(o, "vmlinux");
	struct diff_result r;
	bool noted = false;

	CHECK(kfix_refusal_says(refused, "--skip-init"));
	CHECK(par && diff_objects(o, p, &(struct diff_opts){ .parent = par, .skip_init = true },
				  &r) == LP_EXIT_OK);
	CHECK_ITEMS(&r, "changed fx_clamp_len");
	CHECK(r.nrefusals == 0);
	kfix_print_refusals(&r);
	for (size_t i = 0; i < r.nnotes; i++)
		noted |= !strcmp(r.notes[i].symbol, "fx_limit_setup") &&
			 strstr(r.notes[i].what, "left out the init function 'fx_limit_setup'");
	CHECK(noted);
	CHECK(r.out && !elf_find_section(r.out, ".init.text"));
	diff_result_free(&r);
	parent_close(par);
	free(o);
	free(p);
}

/*
 * One case per fixture tests/fixtures/diff/FIXTURE.c: the differ's exit
 * code, the exact included set (items), the exact refused symbols (refused,
 * "" none), and when why is given, a refusal's reason containing it. more:
 * further checks on the same result.
 */
#define CASE(name, fixture, code, items, refused) \
	{ name, fixture, code, items, refused, NULL, NULL }
#define SAYS(name, fixture, code, items, refused, why) \
	{ name, fixture, code, items, refused, why, NULL }

static const struct diff_case {
	const char *name, *fixture;
	int code;
	const char *items, *refused, *why;
	void (*more)(const struct diff_result *r);
} cases[] = {
	/* 1. static locals */
	CASE("static_by_use", "static_by_use", LP_EXIT_OK, "changed fx_count_b", ""),
	CASE("static_same_name_swapped", "static_init_swap", LP_EXIT_NOCHANGE, "", ""),
	CASE("static_in_cold_piece", "static_cold", LP_EXIT_OK,
	     "changed fx_cold, new fx_cold_new, data warned.1", ""),
	CASE("static_in_part_clone", "static_part", LP_EXIT_OK, "changed fx_check.part.0", ""),
	CASE("static_new_local", "static_new", LP_EXIT_OK,
	     "changed fx_counting, data fx_seen_total.0", ""),
	SAYS("static_dropped_refused", "static_dropped", LP_EXIT_REFUSED, "changed fx_dropper",
	     "fx_dropper", "no longer uses its static variable 'calls."),
	/* 2. clones */
	CASE("clone_appears", "clone_appears", LP_EXIT_OK,
	     "changed fx_mul_a, changed fx_mul_b, new fx_mul.constprop.0", ""),
	CASE("clone_disappears", "clone_disappears", LP_EXIT_OK,
	     "changed fx_mul_a, changed fx_mul_b, new fx_mul", ""),
	CASE("clone_isra_changed", "clone_isra", LP_EXIT_OK,
	     "changed fx_field.constprop.0.isra.0", ""),
	CASE("clone_renumber_caller", "clone_renumber", LP_EXIT_OK, "changed fx_scale_a", ""),
	CASE("clone_cold_only", "clone_cold", LP_EXIT_OK, "changed fx_checked", ""),
	/* 3. inlining */
	CASE("inline_into_callers", "inline_callers", LP_EXIT_OK,
	     "changed fx_norm_a, changed fx_norm_b", ""),
	CASE("inline_always", "inline_always", LP_EXIT_OK,
	     "changed fx_pick_a, changed fx_pick_b", ""),
	CASE("inline_uninlined", "inline_uninlined", LP_EXIT_OK,
	     "changed fx_small_user, new fx_small", ""),
	SAYS("notrace_refused", "inline_notrace", LP_EXIT_REFUSED, "", "fx_quiet",
	     "no __fentry__ call"),
	SAYS("inlined_into_notrace_refused", "inline_into_notrace", LP_EXIT_REFUSED, "",
	     "fx_untraced", "no __fentry__ call"),
	/* issue 12, point 8: a notrace static carried with its callers */
	{ "notrace_static_callers", "notrace_callers", LP_EXIT_OK,
	  "changed fx_conn_new, changed fx_top", "", NULL, notrace_carried },
	SAYS("notrace_pointer_refused", "notrace_pointer", LP_EXIT_REFUSED, "", "fx_cb",
	     "its address is stored in data"),
	/* 4. __LINE__ */
	CASE("line_warn_moves", "line_warn", LP_EXIT_NOCHANGE, "", ""),
	CASE("line_printk_moves", "line_printk", LP_EXIT_NOCHANGE, "", ""),
	CASE("line_moves_and_real_change", "line_and_change", LP_EXIT_OK, "changed fx_really", ""),
	CASE("line_like_constant_changes", "line_not_line", LP_EXIT_OK, "changed fx_nl_err", ""),
	/* a printk argument that looks like a line number, but its line did not move */
	CASE("printk_argument_changes", "line_printk_arg", LP_EXIT_OK, "changed fx_pa_report", ""),
	/* issue 12, point 10: strings quoting FILE:LINE (fortify's memcpy warning) */
	CASE("line_in_string_moves", "line_string", LP_EXIT_NOCHANGE, "", ""),
	CASE("line_in_string_changes", "line_string_changed", LP_EXIT_OK, "changed fx_lsc_report",
	     ""),
	/* 5. strings, __func__, once-flags, CSWTCH */
	CASE("string_text_changes", "string_changed", LP_EXIT_OK, "changed fx_say", ""),
	CASE("string_offsets_move", "string_shifted", LP_EXIT_OK, "changed fx_first", ""),
	CASE("func_name_renumbered", "string_func", LP_EXIT_OK, "new fx_func_new", ""),
	CASE("cswtch_renumbered", "cswtch", LP_EXIT_OK, "new fx_sw_new", ""),
	CASE("cswtch_value_changes", "cswtch_changed", LP_EXIT_OK, "changed fx_sw_val", ""),
	{ "once_flags_fresh", "once_flags", LP_EXIT_OK, "changed fx_once_a, new fx_once_new", "",
	  NULL, once_flag_fresh },
	/* 6. data */
	CASE("new_function", "new_function", LP_EXIT_OK, "changed fx_caller, new fx_clamp", ""),
	CASE("new_static_data", "new_static_data", LP_EXIT_OK,
	     "changed fx_limited, data fx_count", ""),
	CASE("new_global_data", "new_global_data", LP_EXIT_OK,
	     "changed fx_totals, data fx_new_total", ""),
	CASE("data_initializer_refused", "data_init_changed", LP_EXIT_REFUSED, "",
	     "fx_global_other, fx_threshold"),
	CASE("data_size_refused", "data_size_changed", LP_EXIT_REFUSED, "", "fx_slots"),
	CASE("data_section_refused", "data_section_changed", LP_EXIT_REFUSED, "", "fx_mostly"),
	CASE("data_shared_section_refused", "data_shared_section", LP_EXIT_REFUSED, "",
	     "fx_rm_second"),
	{ "data_shared_new_alone", "data_shared_new", LP_EXIT_OK,
	  "changed fx_rmn_use, data fx_rmn_c", "", NULL, shared_new_alone },
	CASE("rodata_table_carried", "rodata_table", LP_EXIT_OK, "changed fx_prime", ""),
	/* 8. groups and __init */
	SAYS("comdat_refused", "comdat_changed", LP_EXIT_REFUSED, "", "fx_grouped",
	     "section group (COMDAT)"),
	CASE("comdat_unchanged", "comdat_same", LP_EXIT_OK, "changed fx_group_user2", ""),
	SAYS("init_refused", "init_changed", LP_EXIT_REFUSED, "", "fx_setup", "init code"),
	{ "init_beside_runtime", "init_and_runtime", LP_EXIT_REFUSED, "changed fx_clamp_len",
	  "fx_limit_setup", "init code", init_skipped },
	CASE("initdata_refused", "initdata_changed", LP_EXIT_REFUSED, "", "fx_boot_table"),
	CASE("ref_text_patched", "ref_changed", LP_EXIT_OK, "changed fx_ref_use", ""),
	{ "exit_refused_truly", "exit_changed", LP_EXIT_REFUSED, "", "fx_exit",
	  "built-in code, which the kernel discards unrun", exit_in_module },
};

static void expect(const struct diff_case *c)
{
	struct diff_result r;
	int got = kfix_diff(c->fixture, NULL, &r);

	if (got != c->code)
		fprintf(stderr, "  %s: exit %d, expected %d\n", c->fixture, got, c->code);
	CHECK(got == c->code);
	CHECK_ITEMS(&r, c->items);
	CHECK_REFUSED(&r, c->refused);
	if (c->why && !kfix_refusal_says(&r, c->why)) {
		fprintf(stderr, "  %s: no refusal says '%s'\n", c->fixture, c->why);
		CHECK(kfix_refusal_says(&r, c->why));
	}
	if (c->more)
		c->more(&r);
	diff_result_free(&r);
}

int main(void)
{
	const size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; i < n; i++)
		kfix_add_file(cases[i].fixture);
	if (kfix_build())
		return 1;
	for (size_t i = 0; i < n; i++)
		RUN_AS(cases[i].name, expect(&cases[i]));
	kfix_cleanup();
	return unit_done();
}
