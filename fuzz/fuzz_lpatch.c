/* The .lpatch reader of `lpatch apply`: the object, its .lpatch.meta and the functions it names. */
#include "fuzz.h"
#include "user/patchfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *lp = fuzz_file("in.lpatch", data, size);
	struct user_patch pf;

	if (!patch_open(lp, &pf))
		patch_close(&pf);
	free(lp);
	return 0;
}
