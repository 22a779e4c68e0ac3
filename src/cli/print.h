/* Printing what the host commands return: the parts several commands share. */
#ifndef LPATCH_CLI_PRINT_H
#define LPATCH_CLI_PRINT_H

struct json;
struct patch_info;

/* pi's members (keys documented in docs/host.md), in the object j has open:
 * name, file, vermagic, target, description, patch_sha256 (null when not
 * recorded), replace (null when unknown), cves[], objects[{name, functions[{name, sympos}]}]. */
void print_patch_info_json(struct json *j, const struct patch_info *pi);
/* "loaded NAME: N functions patched; fixes CVE-..., ..." on stdout. */
void print_loaded(const struct patch_info *pi);

#endif
