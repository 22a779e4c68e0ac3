/*
 * Differ cases of issue 3 on kernel fixtures (tests/fixtures/diff/NAME.c),
 * compiled with the target kernel's flags: each asserts the exact set of
 * included functions and data, or the exact refusal.
 */
#include "kfixture.h"
#include "unit.h"

/* items: the exact included set; refused: the exact refused symbols ("" none). */
static void expect(const char *name, int code, const char *items, const char *refused)
{
	struct diff_result r;
	int got = kfix_diff(name, NULL, &r);

	if (got != code)
		fprintf(stderr, "  %s: exit %d, expected %d\n", name, got, code);
	CHECK(got == code);
	CHECK_ITEMS(&r, items);
	CHECK_REFUSED(&r, refused);
	diff_result_free(&r);
}

static bool says(const char *name, const char *text)
{
	struct diff_result r;
	bool yes;

	kfix_diff(name, NULL, &r);
	yes = kfix_refusal_says(&r, text);
	diff_result_free(&r);
	return yes;
}

#define CASE(fn, name, code, items, refused) \
	static void fn(void) { expect(name, code, items, refused); }

/* 1. static locals */
CASE(static_by_use, "static_by_use", LP_EXIT_OK, "changed fx_count_b", "")
CASE(static_same_name_swapped, "static_init_swap", LP_EXIT_NOCHANGE, "", "")
CASE(static_in_cold_piece, "static_cold", LP_EXIT_OK,
     "changed fx_cold, new fx_cold_new, data warned.1", "")
CASE(static_in_part_clone, "static_part", LP_EXIT_OK, "changed fx_check.part.0", "")
CASE(static_new_local, "static_new", LP_EXIT_OK, "changed fx_counting, data fx_seen_total.0", "")
static void static_dropped_refused(void)
{
	expect("static_dropped", LP_EXIT_REFUSED, "changed fx_dropper", "fx_dropper");
	CHECK(says("static_dropped", "no longer uses its static variable 'calls."));
}
/* 2. clones */
CASE(clone_appears, "clone_appears", LP_EXIT_OK,
     "changed fx_mul_a, changed fx_mul_b, new fx_mul.constprop.0", "")
CASE(clone_disappears, "clone_disappears", LP_EXIT_OK,
     "changed fx_mul_a, changed fx_mul_b, new fx_mul", "")
CASE(clone_isra_changed, "clone_isra", LP_EXIT_OK, "changed fx_field.constprop.0.isra.0", "")
CASE(clone_renumber_caller, "clone_renumber", LP_EXIT_OK, "changed fx_scale_a", "")
CASE(clone_cold_only, "clone_cold", LP_EXIT_OK, "changed fx_checked", "")
/* 3. inlining */
CASE(inline_into_callers, "inline_callers", LP_EXIT_OK, "changed fx_norm_a, changed fx_norm_b", "")
CASE(inline_always, "inline_always", LP_EXIT_OK, "changed fx_pick_a, changed fx_pick_b", "")
CASE(inline_uninlined, "inline_uninlined", LP_EXIT_OK, "changed fx_small_user, new fx_small", "")
static void notrace_refused(void)
{
	expect("inline_notrace", LP_EXIT_REFUSED, "", "fx_quiet");
	CHECK(says("inline_notrace", "no __fentry__ call"));
}
static void inlined_into_notrace_refused(void)
{
	expect("inline_into_notrace", LP_EXIT_REFUSED, "", "fx_untraced");
	CHECK(says("inline_into_notrace", "no __fentry__ call"));
}
/* 4. __LINE__ */
CASE(line_warn_moves, "line_warn", LP_EXIT_NOCHANGE, "", "")
CASE(line_printk_moves, "line_printk", LP_EXIT_NOCHANGE, "", "")
CASE(line_moves_and_real_change, "line_and_change", LP_EXIT_OK, "changed fx_really", "")
CASE(line_like_constant_changes, "line_not_line", LP_EXIT_OK, "changed fx_nl_err", "")
/* a printk argument that looks like a line number, but its line did not move */
CASE(printk_argument_changes, "line_printk_arg", LP_EXIT_OK, "changed fx_pa_report", "")
/* 5. strings, __func__, once-flags, CSWTCH */
CASE(string_text_changes, "string_changed", LP_EXIT_OK, "changed fx_say", "")
CASE(string_offsets_move, "string_shifted", LP_EXIT_OK, "changed fx_first", "")
CASE(func_name_renumbered, "string_func", LP_EXIT_OK, "new fx_func_new", "")
CASE(cswtch_renumbered, "cswtch", LP_EXIT_OK, "new fx_sw_new", "")
CASE(cswtch_value_changes, "cswtch_changed", LP_EXIT_OK, "changed fx_sw_val", "")
static void once_flags_fresh(void)
{
	struct diff_result r;
	bool fresh = false;

	expect("once_flags", LP_EXIT_OK, "changed fx_once_a, new fx_once_new", "");
	kfix_diff("once_flags", NULL, &r);
	for (size_t i = 0; i < r.nbindings; i++)
		CHECK(!str_starts(r.bindings[i].symbol, "__already_done"));
	for (size_t i = 1; r.out && i < r.out->nsym; i++)
		fresh |= str_starts(r.out->sym[i]->name, "__already_done") && r.out->sym[i]->sec;
	CHECK(fresh);	/* the patch carries its own flag */
	diff_result_free(&r);
}
/* 6. data */
CASE(new_function, "new_function", LP_EXIT_OK, "changed fx_caller, new fx_clamp", "")
CASE(new_static_data, "new_static_data", LP_EXIT_OK, "changed fx_limited, data fx_count", "")
CASE(new_global_data, "new_global_data", LP_EXIT_OK, "changed fx_totals, data fx_new_total", "")
CASE(data_initializer_refused, "data_init_changed", LP_EXIT_REFUSED, "",
     "fx_global_other, fx_threshold")
CASE(data_size_refused, "data_size_changed", LP_EXIT_REFUSED, "", "fx_slots")
CASE(data_section_refused, "data_section_changed", LP_EXIT_REFUSED, "", "fx_mostly")
CASE(data_shared_section_refused, "data_shared_section", LP_EXIT_REFUSED, "", "fx_rm_second")
static void data_shared_new_refused(void)
{
	expect("data_shared_new", LP_EXIT_REFUSED, "changed fx_rmn_use, data fx_rmn_c", "fx_rmn_c");
	CHECK(says("data_shared_new", "with the existing 'fx_rmn_"));
}
CASE(rodata_table_carried, "rodata_table", LP_EXIT_OK, "changed fx_prime", "")
/* 8. groups and __init */
static void comdat_refused(void)
{
	expect("comdat_changed", LP_EXIT_REFUSED, "", "fx_grouped");
	CHECK(says("comdat_changed", "section group (COMDAT)"));
}
CASE(comdat_unchanged, "comdat_same", LP_EXIT_OK, "changed fx_group_user2", "")
static void init_refused(void)
{
	expect("init_changed", LP_EXIT_REFUSED, "", "fx_setup");
	CHECK(says("init_changed", "init code"));
}
CASE(initdata_refused, "initdata_changed", LP_EXIT_REFUSED, "", "fx_boot_table")

int main(void)
{
	static const char *const fixtures[] = {
		"static_by_use", "static_init_swap", "static_cold", "static_part", "static_new",
		"static_dropped", "clone_appears", "clone_disappears", "clone_isra",
		"clone_renumber", "clone_cold", "inline_callers", "inline_always",
		"inline_uninlined", "inline_notrace", "inline_into_notrace", "line_warn",
		"line_printk", "line_and_change", "line_not_line", "line_printk_arg", "string_changed", "string_shifted",
		"string_func", "cswtch", "cswtch_changed", "once_flags", "new_function",
		"new_static_data", "new_global_data", "data_init_changed", "data_size_changed",
		"data_section_changed", "data_shared_section", "data_shared_new", "rodata_table", "comdat_changed",
		"comdat_same", "init_changed", "initdata_changed",
	};

	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++)
		kfix_add_file(fixtures[i]);
	if (kfix_build())
		return 1;
	RUN(static_by_use);
	RUN(static_same_name_swapped);
	RUN(static_in_cold_piece);
	RUN(static_in_part_clone);
	RUN(static_new_local);
	RUN(static_dropped_refused);
	RUN(clone_appears);
	RUN(clone_disappears);
	RUN(clone_isra_changed);
	RUN(clone_renumber_caller);
	RUN(clone_cold_only);
	RUN(inline_into_callers);
	RUN(inline_always);
	RUN(inline_uninlined);
	RUN(notrace_refused);
	RUN(inlined_into_notrace_refused);
	RUN(line_warn_moves);
	RUN(line_printk_moves);
	RUN(line_moves_and_real_change);
	RUN(line_like_constant_changes);
	RUN(printk_argument_changes);
	RUN(string_text_changes);
	RUN(string_offsets_move);
	RUN(func_name_renumbered);
	RUN(cswtch_renumbered);
	RUN(cswtch_value_changes);
	RUN(once_flags_fresh);
	RUN(new_function);
	RUN(new_static_data);
	RUN(new_global_data);
	RUN(data_initializer_refused);
	RUN(data_size_refused);
	RUN(data_section_refused);
	RUN(data_shared_section_refused);
	RUN(data_shared_new_refused);
	RUN(rodata_table_carried);
	RUN(comdat_refused);
	RUN(comdat_unchanged);
	RUN(init_refused);
	RUN(initdata_refused);
	kfix_cleanup();
	return unit_done();
}
