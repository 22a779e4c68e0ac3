/* installed_same_code: a rebuild gives a stripped file its symbols only when the code is the same. */
#include "unit.h"

#include "elf/elf.h"
#include "user/ccwrap.h"
#include "user/installed.h"
#include "user/objects.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/run.h"
#include "util/str.h"

#include <fcntl.h>
#include <unistd.h>

static char *dir, *self, *stripped;

/* objcopy ARGS... IN OUT */
static int objcopy(const char *opt, const char *in, const char *out)
{
	const char *argv[] = { "objcopy", opt, in, out, NULL };

	return run(argv, &(struct run_opts){ .quiet = true, .no_stdin = true });
}

/* A copy of file with the byte at offset delta into section name flipped. */
static char *flipped(const char *file, const char *name, size_t delta, const char *as)
{
	char *out = path_join(dir, as);
	struct elf_file *ef;
	struct section *s;
	unsigned char b;
	int fd;

	CHECK(copy_file(file, out) == 0);
	ef = elf_open(out, ELF_OPEN_SECTIONS);
	s = ef ? elf_find_section(ef, name) : NULL;
	CHECK(s != NULL);
	fd = open(out, O_RDWR);
	if (s && fd >= 0 && pread(fd, &b, 1, (off_t)(s->sh.sh_offset + delta)) == 1) {
		b ^= 0xff;
		CHECK(pwrite(fd, &b, 1, (off_t)(s->sh.sh_offset + delta)) == 1);
	}
	if (fd >= 0)
		close(fd);
	if (ef)
		elf_close(ef);
	return out;
}

static void same_code_accepted(void)
{
	CHECK(installed_same_code(self, stripped) == LP_OK);
}

static void changed_code_refused(void)
{
	char *bad = flipped(stripped, ".text", 64, "bad-text");

	CHECK(installed_same_code(self, bad) == LP_REFUSED);
	free(bad);
}

static void changed_data_accepted(void)
{
	/* data is not code: a build path in .rodata may differ, addresses may not */
	char *other = flipped(stripped, ".rodata", 0, "other-rodata");

	CHECK(installed_same_code(self, other) == LP_OK);
	free(other);
}

static void rebuild_without_symbols_refused(void)
{
	CHECK(installed_same_code(stripped, stripped) == LP_REFUSED);
}

static void other_program_refused(void)
{
	char *sh = find_program("sh", NULL);

	CHECK(installed_same_code(self, sh) == LP_REFUSED);
	free(sh);
}

/* ccwrap_link_inputs: what the recorded link of an output took, relative to the tree */
static void link_inputs_from_records(void)
{
	char *log = path_join(dir, "calls"), *tree = path_join(dir, "tree"), *sub;
	char *rec = path_join(log, "1");
	static const char calls[] =
		"lpatch-cc\0TREE/sub\0a-c\0a-o\0aobjs/a.o\0aa.c\0"
		"lpatch-cc\0TREE/sub\0a-shared\0a-o\0alibx.so.1.0\0aa.lo\0a../b.o\0a-lc\0"
		"lpatch-cc\0TREE/sub\0a-olibx.a\0ac.o\0";
	struct strbuf sb = { 0 };
	struct objlist got;

	sub = path_join(tree, "sub");
	CHECK(mkdir_p(log) == 0 && mkdir_p(sub) == 0);
	for (const char *f = "sub/a.lo\0b.o\0sub/c.o\0"; *f; f += strlen(f) + 1) {
		char *p = path_join(tree, f);
		CHECK(write_file(p, "x", 1) == 0);
		free(p);
	}
	for (size_t i = 0; i < sizeof(calls) - 1; i += strlen(calls + i) + 1) {
		const char *t = calls + i;
		if (!strcmp(t, "TREE/sub"))
			sb_add(&sb, sub);
		else
			sb_add(&sb, t);
		sb_addn(&sb, "", 1);
	}
	CHECK(write_file(rec, sb.buf, sb.len) == 0);
	CHECK(ccwrap_link_inputs(log, tree, "libx.so.1.0", &got) == 0);
	CHECK(got.n == 2);
	if (got.n == 2) {
		CHECK_STR(got.rel[0], "sub/a.lo");
		CHECK_STR(got.rel[1], "b.o");
	}
	objlist_free(&got);
	CHECK(ccwrap_link_inputs(log, tree, "liby.so", &got) == 1 && got.n == 0);
	objlist_free(&got);
	sb_free(&sb);
	free(sub);
	free(rec);
	free(log);
	free(tree);
}

int main(void)
{
	dir = make_temp_dir("unit-installed");
	self = realpath("/proc/self/exe", NULL);
	stripped = path_join(dir, "stripped");
	if (!dir || !self || objcopy("--strip-all", self, stripped)) {
		fprintf(stderr, "cannot make a stripped copy of %s\n", self ? self : "/proc/self/exe");
		return 1;
	}
	RUN(same_code_accepted);
	RUN(changed_code_refused);
	RUN(changed_data_accepted);
	RUN(rebuild_without_symbols_refused);
	RUN(other_program_refused);
	RUN(link_inputs_from_records);
	rm_rf(dir);
	return unit_done();
}
