/*
 * The differ: an input is a pair of objects, ORIG and PATCHED, behind a
 * 4-byte little-endian header: the length of ORIG, its top bit set for a
 * process patch (diff_opts.process). ORIG is also the parent. A patch the
 * differ makes is written and must read back through the object checks: no
 * output built from input they refuse.
 */
#include "diff/diff.h"
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diff_opts opts = {0};
	struct diff_result res;
	struct parent *parent;
	char *orig, *patched, *out;
	uint32_t head;
	size_t n;

	if (size < 4)
		return 0;
	memcpy(&head, data, 4);
	n = head & 0x7fffffff;
	if (n > size - 4)
		return 0;
	opts.process = head >> 31;
	orig = fuzz_file("orig.o", data + 4, n);
	patched = fuzz_file("patched.o", data + 4 + n, size - 4 - n);
	out = fuzz_file("out.o", "", 0);
	if ((parent = parent_open(orig, "vmlinux"))) {
		opts.parent = parent;
		if (diff_objects(orig, patched, &opts, &res) == LP_EXIT_OK && res.out) {
			struct elf_file *back;

			free(diff_report_json(&res, patched));
			if (!elf_write(res.out, out)) {
				if (!(back = elf_open(out, 0))) {
					fprintf(stderr, "the differ wrote %s, which does not read back\n", out);
					abort();
				}
				elf_close(back);
			}
		} else {
			free(diff_report_json(&res, patched));
		}
		diff_result_free(&res);
		parent_close(parent);
	}
	free(orig);
	free(patched);
	free(out);
	return 0;
}
