/* The module reader of `lpatch info` and `lpatch load`: .modinfo and the klp structures. */
#include "fuzz.h"
#include "host/modinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *ko = fuzz_file("in.ko", data, size);
	struct patch_info pi;

	if (!ko_info_read(ko, &pi))
		patch_info_free(&pi);
	free(ko);
	return 0;
}
