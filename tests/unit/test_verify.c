/* Verification: a compiled function against the target's bytes, link sites masked. */
#include "diff/verify.h"
#include "elf/elf.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>

static const char *src =
	"#include <stdio.h>\n"
	"static int counter;\n"
	"__thread int tls_count;\n"
	"extern int shared_fn(int);\n"
	"static __attribute__((noinline)) int helper(int x) { return x * counter + 7; }\n"
	"int entry(int y) { counter++; tls_count++; printf(\"%d\\n\", y);\n"
	"                   return helper(y) + shared_fn(y); }\n";
static const char *other = "extern int entry(int);\n"
			   "int shared_fn(int x) { return x * 3; }\n"
			   "int main(int c, char **v) { return entry(c); }\n";

/* verify fn of obj against the same-named symbol of target */
static int check(const char *obj, const char *target, const char *fn, char **why)
{
	struct elf_file *o = elf_open(obj, 0);
	struct parent *t = parent_open(target, "target");
	struct symbol *a = o ? elf_find_symbol(o, fn) : NULL;
	struct symbol *b = t ? elf_find_symbol(t->elf, fn) : NULL;
	int r = a && b ? verify_function(o, a, t, b, why) : -2;

	elf_close(o);
	parent_close(t);
	return r;
}

/* fn of obj matches target's; else the reason is shown */
static void expect_match(const char *obj, const char *target, const char *fn)
{
	char *why = NULL;

	CHECK(check(obj, target, fn, &why) == 1);
	if (why)
		fprintf(stderr, "  %s: %s\n", fn, why);
	free(why);
}

/* The same source and flags, compiled twice: every function matches. */
static void same_build_matches(void)
{
	char *a = fixture_cc("same_a", src, "-fpie -mcmodel=small");
	char *b = fixture_cc("same_b", src, "-fpie -mcmodel=small");
	char *why = NULL;

	CHECK(a && b);
	CHECK(check(a, b, "entry", &why) == 1);
	CHECK(why == NULL);
	CHECK(check(a, b, "helper", NULL) == 1);
	free(a);
	free(b);
}

/* Other optimisation flags: the mismatch is found and says where. */
static void other_flags_mismatch(void)
{
	char *a = fixture_cc("flags_a", src, "-fpie -mcmodel=small");
	char *b = fixture_cc("flags_b", src, "-fpie -mcmodel=small -O0");
	char *why = NULL;

	CHECK(a && b);
	CHECK(check(a, b, "entry", &why) == 0);
	CHECK(why && (strstr(why, "bytes long") || strstr(why, "differ at")));
	free(why);
	free(a);
	free(b);
}

/* src and other compiled as NAME_a.o and NAME_main.o and linked into the
 * PIE executable NAME (returned; caller frees); *obj: NAME_a.o. */
static char *link_pie(const char *name, char **obj)
{
	char *an = xasprintf("%s_a", name), *mn = xasprintf("%s_main", name);
	char *a = fixture_cc(an, src, "-fpie -mcmodel=small");
	char *m = fixture_cc(mn, other, "-fpie -mcmodel=small");
	char *exe = xasprintf("%s/%s", fixture_tmp(), name);
	const char *ld[] = { "cc", "-pie", "-o", exe, a, m, NULL };

	CHECK(a && m);
	CHECK(run(ld, &(struct run_opts){ .no_stdin = true }) == 0);
	free(m);
	free(mn);
	free(an);
	*obj = a;
	return exe;
}

/* Linked into a PIE executable (relocations applied, GOT loads and TLS
 * access relaxed by the linker): the object still matches. */
static void linked_executable_matches(void)
{
	char *a, *exe = link_pie("exe", &a);
	char *why = NULL;

	CHECK(check(a, exe, "entry", &why) == 1);
	if (why)
		fprintf(stderr, "  entry: %s\n", why);
	CHECK(check(a, exe, "helper", NULL) == 1);
	free(why);
	free(exe);
	free(a);
}

/* One changed constant in an otherwise identical function is caught. */
static void changed_constant_mismatch(void)
{
	char *a = fixture_cc("const_a", src, "-fpie -mcmodel=small");
	char *changed = xstrdup(src);
	char *seven = strstr(changed, "+ 7;");
	char *b, *why = NULL;

	seven[2] = '9';
	b = fixture_cc("const_b", changed, "-fpie -mcmodel=small");
	CHECK(a && b);
	CHECK(check(a, b, "helper", &why) == 0);
	CHECK(why && strstr(why, "differ at +0x"));
	/* decoded: the instructions, not bytes */
	CHECK(why && strstr(why, "compiled `") && strstr(why, "has `"));
	if (why)
		fprintf(stderr, "  helper: %s\n", why);
	CHECK(check(a, b, "entry", NULL) == 1);
	free(why);
	free(changed);
	free(a);
	free(b);
}

/* Code the assembler encodes differently in one linked .text than in a
 * -ffunction-sections object (issue 12): the tail call `jmp sink` is a
 * 2-byte jump in the program, 5 bytes with a relocation in the object, and
 * the loop's rel32 jump over it is shorter by as much. The same code. */
static const char *relaxed_src =
	"static volatile int knob = 3;\n"
	"static int table[64];\n"
	"static __attribute__((noinline)) int sink(int x) { return x * knob + table[x & 63]; }\n"
	"__attribute__((noinline)) int shifted(int x, int n) {\n"
	"  int s = 0;\n"
	"  for (int i = 0; i < n; i++) {\n"
	"    if (__builtin_expect(table[i & 63] == x, 1)) return sink(x + i);\n"
	"    s += table[(i * 7) & 63] * knob; s ^= table[(i * 13) & 63] + (s >> 3);\n"
	"    s += table[(i * 5 + x) & 63] * (knob + i); s -= table[(i * 11 + s) & 63] / (knob | 1);\n"
	"    s += table[(i * 3 + 1) & 63] * knob; s ^= table[(i * 17 + x) & 63] - (s << 2);\n"
	"    s += table[(i * 19 + n) & 63] * (knob + x);\n"
	"  }\n"
	"  return s;\n"
	"}\n"
	"int main(int c, char **v) {\n"
	"  for (int i = 0; i < 64; i++) table[i] = i * i;\n"
	"  return shifted(c, 40);\n"
	"}\n";

/* code compiled with flags as a -ffunction-sections object (*obj) and as
 * one .text linked with `cc LINK` (-pie, -no-pie, -shared) into the file
 * returned, both named after name; caller frees both. */
static char *build_pair(const char *name, const char *code, const char *flags, const char *link,
			char **obj)
{
	char *on = xasprintf("%s_fs", name), *ln = xasprintf("%s_linked", name);
	char *lflags = xasprintf("%s -fno-function-sections -fno-data-sections", flags);
	char *l = fixture_cc(ln, code, lflags);
	char *out = xasprintf("%s/%s", fixture_tmp(), name);
	const char *ld[] = { "cc", link, "-o", out, l, NULL };

	*obj = fixture_cc(on, code, flags);
	CHECK(*obj && l);
	CHECK(run(ld, &(struct run_opts){ .no_stdin = true }) == 0);
	free(l);
	free(lflags);
	free(ln);
	free(on);
	return out;
}

/* relaxed_src (with extra flags), as build_pair makes it into a PIE. */
static char *relaxed_pair(const char *name, const char *flags, char **obj)
{
	char *f = xasprintf("-fpie -mcmodel=small %s", flags);
	char *exe = build_pair(name, relaxed_src, f, "-pie", obj);

	free(f);
	return exe;
}

/* name's st_size (size) or st_value in the object at path; 0 when absent */
static uint64_t symbol_field(const char *path, const char *name, bool size)
{
	struct elf_file *ef = elf_open(path, 0);
	struct symbol *s = ef ? elf_find_symbol(ef, name) : NULL;
	uint64_t n = !s ? 0 : size ? s->s.st_size : s->s.st_value;

	elf_close(ef);
	return n;
}

static uint64_t symbol_size(const char *path, const char *name)
{
	return symbol_field(path, name, true);
}

static void relaxed_jumps_match(void)
{
	char *obj, *exe = relaxed_pair("relaxed", "", &obj);

	/* the case is there: other lengths, other bytes */
	CHECK(symbol_size(obj, "shifted") && symbol_size(obj, "shifted") != symbol_size(exe, "shifted"));
	expect_match(obj, exe, "shifted");
	CHECK(check(obj, exe, "sink", NULL) == 1);
	CHECK(check(obj, exe, "main", NULL) == 1);
	free(exe);
	free(obj);
}

/* The same relaxed code built with another -O level or another code
 * generation option is still refused, naming the first instruction that
 * differs, decoded. */
static void relaxed_other_flags_refused(void)
{
	char *obj, *exe = relaxed_pair("relaxed_o1", "-O1", &obj);
	char *obj2, *exe2 = relaxed_pair("relaxed_peep", "-fno-peephole2 -fno-tree-vectorize "
					 "-fno-schedule-insns2", &obj2);
	char *fs = fixture_cc("relaxed_o2", relaxed_src, "-fpie -mcmodel=small");
	char *why = NULL;

	CHECK(fs);
	CHECK(check(fs, exe, "shifted", &why) == 0);
	CHECK(why && strstr(why, "differ at +0x") && strstr(why, "compiled `") && strstr(why, "has `"));
	if (why)
		fprintf(stderr, "  -O1: %s\n", why);
	free(why);
	why = NULL;
	CHECK(check(fs, exe2, "shifted", &why) == 0);
	if (why)
		fprintf(stderr, "  -fno-peephole2: %s\n", why);
	free(why);
	free(fs);
	free(exe);
	free(exe2);
	free(obj);
	free(obj2);
}

/* The same source and flags compiled by another compiler (clang, when the
 * machine has it) into the program: refused. */
static void other_compiler_refused(void)
{
	char *c = xasprintf("%s/clang_src.c", fixture_tmp());
	char *exe = xasprintf("%s/clang_exe", fixture_tmp());
	const char *cl[] = { "clang", "-O2", "-fpie", "-pie", "-o", exe, c, NULL };
	char *obj = fixture_cc("clang_fs", relaxed_src, "-fpie -mcmodel=small");
	const char *probe[] = { "clang", "--version", NULL };
	char *why = NULL;

	if (run(probe, &(struct run_opts){ .no_stdin = true, .quiet = true }) != 0) {
		fprintf(stderr, "  (no clang here: case not run)\n");
	} else {
		CHECK(write_file(c, relaxed_src, strlen(relaxed_src)) == 0);
		CHECK(run(cl, &(struct run_opts){ .no_stdin = true }) == 0);
		CHECK(check(obj, exe, "shifted", &why) == 0);
		CHECK(why && strstr(why, "compiled"));
		if (why)
			fprintf(stderr, "  clang: %s\n", why);
	}
	free(why);
	free(obj);
	free(exe);
	free(c);
}

/* The address of one of the function's own instructions as an absolute
 * operand (the kernel's _THIS_IP_): relocated against the function's own
 * section in the object, a number in the linked program. Not PIE, after
 * a tail call relaxed to 2 bytes. */
static void own_address_matches(void)
{
	const char *here =
		"static volatile int knob;\n"
		"static __attribute__((noinline)) unsigned long sink(unsigned long x) { return x * knob; }\n"
		"__attribute__((noinline)) unsigned long here(unsigned long x) {\n"
		"  if (__builtin_expect(x == 3, 1)) return sink(x);\n"
		"  return ({ __label__ h; h: (unsigned long)&&h; }) + x * knob;\n"
		"}\n"
		"int main(int c, char **v) { knob = c; return here(c); }\n";
	char *obj, *exe = build_pair("here", here, "-mcmodel=small -fno-pie", "-no-pie", &obj);

	expect_match(obj, exe, "here");
	free(exe);
	free(obj);
}

/* A shared library calls its own global functions through its PLT (they
 * may be interposed): the call is to the PLT entry whose GOT slot is bound
 * to that name. */
static void library_plt_calls_match(void)
{
	const char *lib =
		"#include <stdio.h>\n"
		"int counter;\n"
		"__attribute__((noinline)) int inner(int x) { return x * 3 + counter; }\n"
		"int outer(int x) { printf(\"%d\\n\", x); return inner(x) + inner(x + 1); }\n"
		"int tail(int x) { return inner(x + 2); }\n";
	char *obj, *so = build_pair("libt.so", lib, "-fpic -mcmodel=small", "-shared", &obj);

	expect_match(obj, so, "outer");
	CHECK(check(obj, so, "tail", NULL) == 1);
	free(so);
	free(obj);
}

/* A target symbol whose address lies before its section's (a damaged or
 * foreign file): refused, not read from before the section's bytes. */
static void symbol_before_section_refused(void)
{
	char *a, *exe = link_pie("before", &a);
	struct elf_file *o;
	struct parent *t;
	struct symbol *fn, *tsym;

	o = elf_open(a, 0);
	t = parent_open(exe, "before");
	fn = o ? elf_find_symbol(o, "helper") : NULL;
	tsym = t ? elf_find_symbol(t->elf, "helper") : NULL;
	CHECK(fn && tsym && tsym->sec);
	if (fn && tsym && tsym->sec) {
		tsym->s.st_value = tsym->sec->sh.sh_addr - 4;
		CHECK(verify_function(o, fn, t, tsym, NULL) == -1);
	}
	elf_close(o);
	parent_close(t);
	free(exe);
	free(a);
}

/* A call to the function that follows in the target's section, which the
 * assembler resolved there (kvm.ko: kvm_x86_init calls kvm_init_xstate_sizes,
 * right after it in .init.text): the target's call points just past its
 * own function, the object's names the callee: the same. */
static void call_to_next_function_matches(void)
{
	const char *code =
		"static int after(int x);\n"
		"__attribute__((noinline)) int first(int x) { return after(x) * 3 + 1; }\n"
		"__attribute__((noinline)) static int after(int x) { return x * 7; }\n"
		"int (*volatile keep)(int) = after;\n";
	const char *flags = "-O2 -fno-pie -mcmodel=kernel -falign-functions=1 -fno-toplevel-reorder";
	char *f = xasprintf("%s -ffunction-sections", flags);
	char *t = xasprintf("%s -fno-function-sections", flags);
	char *obj = fixture_cc("next_fs", code, f), *target = fixture_cc("next_one", code, t);

	CHECK(obj && target);
	/* the case is there: after starts where first ends */
	CHECK(symbol_size(target, "first") && symbol_size(target, "first") == symbol_field(target, "after", false));
	expect_match(obj, target, "first");
	free(obj);
	free(target);
	free(f);
	free(t);
}

/* Static branches as the kernel makes them (arch_static_branch): a jmp of 5
 * or 2 bytes, named by an entry of __jump_table. On 6.12 (IBT) objtool
 * turns it into a nop of that size only when vmlinux is linked, so the
 * object compiled has the jmp where the target has the nop. The loop's
 * branch back crosses both sites. Variants: NOPS, the target's form;
 * NOTABLE, the jmps without __jump_table; SPLIT, a 2- and a 3-byte nop for
 * the 5-byte one; ELSEWHERE, a 5-byte jmp to the next instruction. */
static const char *jl_src =
	"static int key_a, key_b;\n"
	"volatile int sink;\n"
	"#if defined(NOPS)\n"
	"#define INS5 \".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\"\n"
	"#define INS2 \".byte 0x66, 0x90\"\n"
	"#elif defined(SPLIT)\n"
	"#define INS5 \".byte 0x66, 0x90, 0x0f, 0x1f, 0x00\"\n"
	"#define INS2 \".byte 0x66, 0x90\"\n"
	"#elif defined(ELSEWHERE)\n"
	"#define INS5 \"%{disp32%} jmp 2f\\n2:\"\n"
	"#define INS2 \"%{disp8%} jmp %l1\"\n"
	"#else\n"
	"#define INS5 \"%{disp32%} jmp %l1\"\n"
	"#define INS2 \"%{disp8%} jmp %l1\"\n"
	"#endif\n"
	"#ifdef NOTABLE\n"
	"#define SITE(ins, key, lab) asm goto(\"1: \" ins : : \"i\"(&key) : : lab)\n"
	"#else\n"
	"#define SITE(ins, key, lab) asm goto(\"1: \" ins \"\\n\\t.pushsection __jump_table, \\\"aw\\\"\\n\\t\" \\\n"
	"	\".balign 8\\n\\t.long 1b - ., %l1 - .\\n\\t.quad %c0 + 2 - .\\n\\t.popsection\" \\\n"
	"	: : \"i\"(&key) : : lab)\n"
	"#endif\n"
	"__attribute__((noinline)) int branchy(int x)\n"
	"{\n"
	"	for (int i = 0; i < x; i++) {\n"
	"		sink += i;\n"
	"		SITE(INS5, key_a, on_a);\n"
	"		sink ^= x;\n"
	"		SITE(INS2, key_b, on_b);\n"
	"		sink -= 3;\n"
	"	}\n"
	"	return x;\n"
	"on_a:\n"
	"	return -x;\n"
	"on_b:\n"
	"	return x * 7;\n"
	"}\n";

/* A jump-label site matches the target's nop of its size, or the same jmp;
 * elsewhere a jmp is no nop, and a site is neither two nops nor a jmp to
 * another place. */
static void jump_label_sites_match(void)
{
	char *obj = fixture_cc("jl_obj", jl_src, NULL);
	char *nops = fixture_cc("jl_nops", jl_src, "-DNOPS");
	char *plain = fixture_cc("jl_plain", jl_src, "-DNOTABLE");
	char *split = fixture_cc("jl_split", jl_src, "-DSPLIT");
	char *elsewhere = fixture_cc("jl_elsewhere", jl_src, "-DELSEWHERE");
	char *why = NULL;

	CHECK(obj && nops && plain && split && elsewhere);
	/* the case is there: the same layout, a jmp in one, a nop in the other */
	CHECK(symbol_size(obj, "branchy") && symbol_size(obj, "branchy") == symbol_size(nops, "branchy"));
	expect_match(obj, nops, "branchy");
	expect_match(obj, obj, "branchy");
	expect_match(nops, nops, "branchy");
	/* without __jump_table a jmp is a jmp */
	CHECK(check(plain, nops, "branchy", &why) == 0);
	CHECK(why && strstr(why, "differ at +0x"));
	free(why);
	why = NULL;
	CHECK(check(obj, split, "branchy", &why) == 0);
	CHECK(why && strstr(why, "jump-label site") && strstr(why, "5-byte nop"));
	if (why)
		fprintf(stderr, "  split: %s\n", why);
	free(why);
	why = NULL;
	CHECK(check(obj, elsewhere, "branchy", &why) == 0);
	CHECK(why && strstr(why, "jump-label site") && strstr(why, "goes elsewhere"));
	if (why)
		fprintf(stderr, "  elsewhere: %s\n", why);
	free(why);
	free(obj);
	free(nops);
	free(plain);
	free(split);
	free(elsewhere);
}

int main(void)
{
	RUN(same_build_matches);
	RUN(other_flags_mismatch);
	RUN(linked_executable_matches);
	RUN(changed_constant_mismatch);
	RUN(symbol_before_section_refused);
	RUN(relaxed_jumps_match);
	RUN(relaxed_other_flags_refused);
	RUN(own_address_matches);
	RUN(other_compiler_refused);
	RUN(library_plt_calls_match);
	RUN(call_to_next_function_matches);
	RUN(jump_label_sites_match);
	fixture_cleanup();
	return unit_done();
}
