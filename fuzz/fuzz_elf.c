/*
 * The object reader: elf_open on any bytes either refuses them or gives a
 * model the rest of lpatch may trust. What it accepts is written back with
 * elf_write and must read again: a writer never makes a file its own reader
 * refuses.
 */
#include "elf/elf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_file("in.o", data, size), *out = fuzz_file("out.o", "", 0);
	struct elf_file *ef = elf_open(in, 0), *back;

	if (ef) {
		for (size_t i = 1; i < ef->nsec; i++)
			(void)elf_section_data(ef->sec[i]);
		free(elf_build_id(ef));
		if (!elf_write(ef, out)) {
			if (!(back = elf_open(out, 0))) {
				fprintf(stderr, "elf_write made %s from %s, and it does not read back\n",
					out, in);
				abort();
			}
			elf_close(back);
		}
		elf_close(ef);
	}
	free(in);
	free(out);
	return 0;
}
