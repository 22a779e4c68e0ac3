/* Writing and removing the entry jumps. */
#include "user/redirect.h"

#include "user/mem.h"
#include "util/log.h"

#include <errno.h>
#include <string.h>

static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

int redirect_prepare(pid_t pid, const struct applied *a, size_t n, struct lp_region_func *f,
		     const char *name)
{
	const struct lp_region_func *older = NULL;
	unsigned char cur[16];

	if (rmem_read(pid, f->old_addr, cur, sizeof(cur))) {
		lp_perr("process %d: cannot read %s at %#llx", (int)pid, name,
			(unsigned long long)f->old_addr);
		return LP_FAIL;
	}
	if (state_winner(a, n, f->old_addr, NULL, &older)) {
		memcpy(f->orig, older->orig, sizeof(f->orig));
		f->site_off = older->site_off;
	} else {
		memcpy(f->orig, cur, sizeof(f->orig));
		f->site_off = memcmp(cur, endbr64, sizeof(endbr64)) ? 0 : sizeof(endbr64);
	}
	f->site_len = JMP_LEN;
	if (f->old_size < (uint64_t)f->site_off + JMP_LEN) {
		lp_err("%s is %llu bytes long: too small to hold a %d-byte jump%s", name,
		       (unsigned long long)f->old_size, JMP_LEN,
		       f->site_off ? " after its endbr64" : "");
		lp_hint("patch its callers instead");
		return LP_REFUSED;
	}
	return LP_OK;
}

int redirect_to(pid_t pid, const struct lp_region_func *f, uint64_t target)
{
	uint64_t site = f->old_addr + f->site_off;
	int64_t rel = (int64_t)(target - (site + JMP_LEN));
	unsigned char jmp[JMP_LEN] = { 0xe9 };
	int32_t rel32 = (int32_t)rel;

	if (rel != rel32) {
		lp_err("new code at %#llx is out of jump range of %#llx",
		       (unsigned long long)target, (unsigned long long)site);
		return -1;
	}
	memcpy(jmp + 1, &rel32, sizeof(rel32));
	if (rmem_write(pid, site, jmp, sizeof(jmp))) {
		lp_perr("cannot write the jump at %#llx", (unsigned long long)site);
		return -1;
	}
	return 0;
}

int redirect_restore(pid_t pid, const struct lp_region_func *f)
{
	uint64_t site = f->old_addr + f->site_off;

	if (rmem_write(pid, site, f->orig + f->site_off, f->site_len)) {
		lp_perr("cannot restore the code at %#llx", (unsigned long long)site);
		return -1;
	}
	return 0;
}
