/*
 * Differ, special sections (issue 3, case 7): kernel fixtures with two
 * functions, one changed; the patch keeps exactly the table entries of the
 * changed function. Entry sizes are derived by the differ; here they are
 * the patched object's section size over the number of sites the fixture
 * plants, so a wrong derivation shows as a wrong count.
 */
#include "kfixture.h"
#include "unit.h"

/* Two functions around SITE: fx_changed (two sites, changes) and fx_same
 * (one site, does not). */
static void add_fixture(const char *name, const char *head, const char *site)
{
	const char *body =
		"%s\n"
		"noinline int fx_changed(int x)\n{\n\t%s\n\t%s\n\treturn x + %d;\n}\n\n"
		"noinline int fx_same(int x)\n{\n\t%s\n\treturn x + 7;\n}\n";
	char *o = xasprintf(body, head, site, site, 1, site);
	char *p = xasprintf(body, head, site, site, 2, site);

	kfix_add(name, o, p);
	free(o);
	free(p);
}

/* Is r's target the section of fx_changed (and not fx_same)? */
static const char *target_section(const struct reloc *r)
{
	return r->sym && r->sym->sec ? r->sym->sec->name : "";
}

/*
 * Check table sec of fixture name: `sites` entries in the patched object
 * (0: unknown, then the entry size is not checked), `kept` in the output
 * (0: at least one), and every code reference of the kept entries into
 * ordinary text points at fx_changed.
 */
/* What objtool, not the compiler, writes into an object (and .parainstructions,
 * which 6.12 replaced by alternatives): absent from a 6.12 object built for an
 * IBT kernel, whose objtool runs on the linked module. */
static bool objtool_section(const char *sec)
{
	return !strcmp(sec, ".orc_unwind_ip") || !strcmp(sec, ".orc_unwind") ||
	       !strcmp(sec, ".return_sites") || !strcmp(sec, ".retpoline_sites") ||
	       !strcmp(sec, ".static_call_sites") || !strcmp(sec, ".parainstructions") ||
	       !strcmp(sec, ".call_sites") || !strcmp(sec, ".ibt_endbr_seal");
}

static void check_table(const char *name, const char *sec, size_t sites, size_t kept)
{
	struct diff_result r;
	char *po = kfix_patched(name);
	struct elf_file *pf = elf_open(po, 0);
	struct section *in = pf ? elf_find_section(pf, sec) : NULL, *out;
	size_t n_in = in && in->rela ? in->rela->nrel : 0, n_out = 0;

	if (!in && kfix_objtool_at_link() && objtool_section(sec)) {
		printf("  %s: not in this target's objects (objtool runs at module link)\n", sec);
		elf_close(pf);
		free(po);
		return;
	}
	CHECK(in != NULL);
	CHECK(kfix_diff(name, NULL, &r) == LP_EXIT_OK);
	CHECK_ITEMS(&r, "changed fx_changed");
	out = r.out ? elf_find_section(r.out, sec) : NULL;
	CHECK(out != NULL);
	if (in && out) {
		if (sites) {
			size_t es = in->size / sites;
			CHECK(in->size % sites == 0);
			CHECK(out->size == kept * es);
			if (out->size != kept * es)
				fprintf(stderr, "    %s: %zu bytes kept, expected %zu entries of %zu\n",
					sec, out->size, kept, es);
		} else {
			CHECK(out->size > 0 && out->size < in->size);
		}
		for (size_t i = 0; out->rela && i < out->rela->nrel; i++) {
			const char *t = target_section(&out->rela->rel[i]);
			if (str_starts(t, ".text."))
				CHECK_STR(t, ".text.fx_changed");
			n_out += !strcmp(t, ".text.fx_changed");
		}
		if (n_in)	/* .orc_unwind has none: it follows .orc_unwind_ip */
			CHECK(n_out > 0 && n_out < n_in);
	}
	diff_result_free(&r);
	elf_close(pf);
	free(po);
}

static void bug_table(void) { check_table("sp_bug", "__bug_table", 3, 2); }
static void mcount_loc(void) { check_table("sp_bug", "__mcount_loc", 2, 1); }
static void orc_unwind(void)
{
	check_table("sp_bug", ".orc_unwind_ip", 0, 0);
	check_table("sp_bug", ".orc_unwind", 0, 0);
}
static void return_sites(void) { check_table("sp_bug", ".return_sites", 0, 0); }
static void ex_table(void) { check_table("sp_extable", "__ex_table", 3, 2); }
static void jump_table(void) { check_table("sp_jump", "__jump_table", 3, 2); }
static void altinstructions(void) { check_table("sp_alt", ".altinstructions", 3, 2); }
static void static_call_sites(void) { check_table("sp_static_call", ".static_call_sites", 3, 2); }
static void retpoline_sites(void) { check_table("sp_retpoline", ".retpoline_sites", 3, 2); }
static void smp_locks(void) { check_table("sp_locks", ".smp_locks", 3, 2); }
static void parainstructions(void) { check_table("sp_paravirt", ".parainstructions", 6, 4); }

/* The replacement code of .altinstructions: only the pieces of the kept
 * entries are carried (packed), and the kept entries point at them. The
 * piece of fx_same calls fx_fast_same, so a whole copy would bind it. */
static const char alt_pieces_src[] =
	"#include <asm/alternative.h>\n#include <asm/cpufeatures.h>\n"
	"#define CALL_CLOBBERS ASM_NO_INPUT_CLOBBER(\"rax\", \"rcx\", \"rdx\", \"rsi\", \"rdi\", "
	"\"r8\", \"r9\", \"r10\", \"r11\", \"memory\", \"cc\")\n"
	/* 6.12's alternative_call adds the stack pointer constraint itself (ALT_OUTPUT_SP) */
	"#ifdef ALT_OUTPUT_SP\n#define CALL_OUT\n#else\n#define CALL_OUT ASM_CALL_CONSTRAINT\n#endif\n"
	"noinline void fx_plain(void) { asm volatile(\"\"); }\n"
	"noinline void fx_fast_changed(void) { asm volatile(\"\"); }\n"
	"noinline void fx_fast_same(void) { asm volatile(\"\"); }\n"
	"noinline int fx_changed(int x)\n{\n"
	"\talternative(\"\", \"lfence\", X86_FEATURE_LFENCE_RDTSC);\n"
	"\talternative_call(fx_plain, fx_fast_changed, X86_FEATURE_ALWAYS, CALL_OUT, "
	"CALL_CLOBBERS);\n"
	"\treturn x + VALUE;\n}\n"
	"noinline int fx_same(int x)\n{\n"
	"\talternative_call(fx_plain, fx_fast_same, X86_FEATURE_ALWAYS, CALL_OUT, "
	"CALL_CLOBBERS);\n"
	"\treturn x + 7;\n}\n";

static void altinstr_pieces(void)
{
	struct diff_result r;
	char *po = kfix_patched("sp_alt_pieces");
	struct elf_file *pf = elf_open(po, 0);
	struct section *in = pf ? elf_find_section(pf, ".altinstr_replacement") : NULL;
	struct section *out = NULL, *table = NULL;
	size_t refs = 0;

	CHECK(in != NULL && in->size == 3 + 5 + 5);	/* lfence, call, call */
	CHECK(kfix_diff("sp_alt_pieces", NULL, &r) == LP_EXIT_OK);
	CHECK_ITEMS(&r, "changed fx_changed");
	CHECK(kfix_binding(&r, "fx_fast_changed") != NULL);
	CHECK(kfix_binding(&r, "fx_fast_same") == NULL);
	if (r.out) {
		out = elf_find_section(r.out, ".altinstr_replacement");
		table = elf_find_section(r.out, ".altinstructions");
	}
	CHECK(out != NULL && table != NULL);
	if (out && table && in) {
		CHECK(out->size == 3 + 5);
		/* one relocation in the kept pieces: the call of fx_fast_changed */
		CHECK(out->rela && out->rela->nrel == 1);
		for (size_t i = 0; table->rela && i < table->rela->nrel; i++) {
			const struct reloc *t = &table->rela->rel[i];
			if (!t->sym || t->sym->sec != out)
				continue;
			refs++;
			CHECK(t->addend >= 0 && (uint64_t)t->addend < out->size);
			/* each kept entry points at an lfence or a call */
			if (t->addend >= 0 && (uint64_t)t->addend < out->size)
				CHECK(out->data[t->addend] == 0x0f || out->data[t->addend] == 0xe8);
		}
		CHECK(refs == 2);
	}
	diff_result_free(&r);
	elf_close(pf);
	free(po);
}

/* .printk_index: the target has CONFIG_PRINTK_INDEX off, so the fixture
 * plants the kernel's layout by hand (a static record per call site, and a
 * pointer to it in .printk_index). Kept: the pointers to records whose
 * format carried code prints. */
static const char printk_index_src[] =
	"#include <linux/printk.h>\n"
	"struct fx_pi_entry { const char *fmt, *func, *file; unsigned int line;\n"
	"\tconst char *level, *subsys_fmt_prefix; };\n"
	"#define FX_PRINTK(f, ...) ({ \\\n"
	"\tstatic const struct fx_pi_entry _entry __used = { .fmt = f, .func = __func__, \\\n"
	"\t\t.file = __FILE__, .line = __LINE__ }; \\\n"
	"\tstatic const struct fx_pi_entry *_entry_ptr __used \\\n"
	"\t\t__section(\".printk_index\") = &_entry; \\\n"
	"\tprintk(f, ##__VA_ARGS__); })\n"
	"noinline int fx_changed(int x)\n{\n"
	"\tFX_PRINTK(KERN_INFO \"fx_changed a %d\\n\", x);\n"
	"\tFX_PRINTK(KERN_INFO \"fx_changed b %d\\n\", x);\n"
	"\treturn x + VALUE;\n}\n"
	"noinline int fx_same(int x)\n{\n"
	"\tFX_PRINTK(KERN_INFO \"fx_same %d\\n\", x);\n"
	"\treturn x + 7;\n}\n";

/* The format string the record at (sec, off) of e points at, or "". */
static const char *record_format(struct section *rec, uint64_t off)
{
	struct reloc *f = rec ? elf_reloc_at(rec, off) : NULL;
	struct section *str = f && f->sym ? f->sym->sec : NULL;
	uint64_t at = f && f->sym ? f->sym->s.st_value + (uint64_t)f->addend : 0;

	if (!str || !str->data || at >= str->size)
		return "";
	return (const char *)str->data + at;
}

static void printk_index(void)
{
	struct diff_result r;
	char *po = kfix_patched("sp_printk");
	struct elf_file *pf = elf_open(po, 0);
	struct section *in = pf ? elf_find_section(pf, ".printk_index") : NULL, *out = NULL;

	CHECK(in != NULL && in->size == 3 * 8);
	CHECK(kfix_diff("sp_printk", NULL, &r) == LP_EXIT_OK);
	CHECK_ITEMS(&r, "changed fx_changed");
	out = r.out ? elf_find_section(r.out, ".printk_index") : NULL;
	CHECK(out != NULL);
	if (out) {
		CHECK(out->size == 2 * 8);
		CHECK(out->rela && out->rela->nrel == 2);
		for (size_t i = 0; out->rela && i < out->rela->nrel; i++) {
			const struct reloc *e = &out->rela->rel[i];
			struct section *rec = e->sym ? e->sym->sec : NULL;
			uint64_t off = e->sym ? e->sym->s.st_value + (uint64_t)e->addend : 0;
			const char *fmt = record_format(rec, off);
			CHECK(strstr(fmt, "fx_changed ") != NULL);
			if (!strstr(fmt, "fx_changed "))
				fprintf(stderr, "    kept record %zu prints '%s'\n", i, fmt);
		}
	}
	diff_result_free(&r);
	elf_close(pf);
	free(po);
}

/* A static key of the patched file binds to vmlinux's key: allowed. The
 * same key in a module would be set up before livepatch binds it: refused. */
static void jump_key_in_module(void)
{
	struct diff_result r;
	char *o = kfix_orig("sp_jump"), *p = kfix_patched("sp_jump");

	/* LP_EXIT_FAIL, not REFUSED, if the parent does not open */
	CHECK(kfix_diff_paths(o, p, o, "fxmod", &r) == LP_EXIT_REFUSED);
	CHECK_REFUSED(&r, "fx_key");
	CHECK(kfix_refusal_says(&r, "static_key_enabled()"));
	CHECK(kfix_refusal_says(&r, "module fxmod"));
	diff_result_free(&r);
	free(o);
	free(p);
}

/* A tracepoint of the module being patched (issue 12, point 4): its jump
 * label cannot be bound on 6.1, so the patch carries the function without
 * it (the site stays a nop: the tracepoint is off in the patched copy) and
 * a note names the tracepoint and the function. Bound as vmlinux's, the
 * entry stays. */
static void tracepoint_in_module(void)
{
	struct diff_result r;
	char *o = kfix_orig("sp_tracepoint"), *p = kfix_patched("sp_tracepoint");
	struct section *out;
	bool noted = false;

	CHECK(kfix_diff_paths(o, p, o, "fxmod", &r) == LP_EXIT_OK);
	CHECK_ITEMS(&r, "changed fx_changed");
	kfix_print_refusals(&r);
	out = r.out ? elf_find_section(r.out, "__jump_table") : NULL;
	CHECK(out == NULL || out->size == 0);
	for (size_t i = 0; i < r.nnotes; i++)
		noted |= !strcmp(r.notes[i].symbol, "__tracepoint_fx_event") &&
			 strstr(r.notes[i].what, "'fx_event' stays off in the patched fx_changed()") &&
			 strstr(r.notes[i].what, "module fxmod");
	CHECK(noted);
	diff_result_free(&r);
	CHECK(kfix_diff_paths(o, p, o, "vmlinux", &r) == LP_EXIT_OK);
	out = r.out ? elf_find_section(r.out, "__jump_table") : NULL;
	CHECK(out != NULL && out->size == 2 * 16);
	CHECK(r.nnotes == 0);
	diff_result_free(&r);
	free(o);
	free(p);
}

/* A table whose size is not a whole number of entries: refused, named. */
static void entry_size_mismatch(void)
{
	struct diff_result r;

	CHECK(kfix_diff("sp_bad_locks", NULL, &r) == LP_EXIT_REFUSED);
	CHECK_REFUSED(&r, ".smp_locks");
	CHECK(kfix_refusal_says(&r, "not a whole number of 4-byte entries"));
	diff_result_free(&r);
}

int main(void)
{
	add_fixture("sp_bug", "#include <linux/bug.h>", "WARN_ON(x == __LINE__);");
	add_fixture("sp_extable", "#include <linux/uaccess.h>",
		    "{ __label__ f; int v = 0; __get_kernel_nofault(&v, (int *)(long)x, int, f); "
		    "f: x += v; }");
	add_fixture("sp_jump", "#include <linux/jump_label.h>\n"
		    "static DEFINE_STATIC_KEY_FALSE(fx_key);",
		    "if (static_branch_unlikely(&fx_key)) x += __LINE__;");
	/* what trace_fx_event() expands to, without the trace header machinery */
	add_fixture("sp_tracepoint", "#include <linux/tracepoint-defs.h>\n"
		    "#include <linux/jump_label.h>\n"
		    "struct tracepoint __tracepoint_fx_event;",
		    "if (static_key_false(&__tracepoint_fx_event.key)) x += __LINE__;");
	add_fixture("sp_alt", "#include <asm/alternative.h>\n#include <asm/cpufeatures.h>",
		    "alternative(\"\", \"lfence\", X86_FEATURE_LFENCE_RDTSC);");
	add_fixture("sp_static_call", "#include <linux/static_call.h>\n"
		    "noinline int fx_target(int x) { return x * 3; }\n"
		    "DEFINE_STATIC_CALL(fx_sc, fx_target);",
		    "x += static_call(fx_sc)(x);");
	add_fixture("sp_retpoline", "int (*volatile fx_fp)(int);", "x += fx_fp(x);");
	add_fixture("sp_locks", "#include <linux/atomic.h>\natomic_t fx_count;",
		    "atomic_inc(&fx_count);");
	add_fixture("sp_paravirt", "#include <linux/irqflags.h>",
		    "raw_local_irq_disable(); raw_local_irq_enable();");
	add_fixture("sp_bad_locks", "",
		    "asm volatile(\"1: nop\\n.pushsection .smp_locks,\\\"a\\\"\\n"
		    ".long 1b - .\\n.byte 0\\n.popsection\");");
	kfix_add_defined("sp_alt_pieces", "VALUE", 1, 2, alt_pieces_src);
	kfix_add_defined("sp_printk", "VALUE", 1, 2, printk_index_src);
	if (kfix_build())
		return 1;
	RUN(bug_table);
	RUN(mcount_loc);
	RUN(orc_unwind);
	RUN(return_sites);
	RUN(ex_table);
	RUN(jump_table);
	RUN(jump_key_in_module);
	RUN(tracepoint_in_module);
	RUN(altinstructions);
	RUN(altinstr_pieces);
	RUN(static_call_sites);
	RUN(retpoline_sites);
	RUN(smp_locks);
	RUN(parainstructions);
	RUN(printk_index);
	RUN(entry_size_mismatch);
	kfix_cleanup();
	return unit_done();
}
