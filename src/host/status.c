/* lpatch status: kernel release, each patch's state and CVEs, taint; text or JSON. */
#include "host/status.h"

#include "host/inventory.h"
#include "host/ops.h"
#include "host/taint.h"
#include "util/log.h"
#include "util/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#define STATUS_FORMAT "lpatch-status/1"

/* A patch whose fixes are in force: enabled, transition finished. */
static bool in_force(const struct host_patch *p)
{
	return p->live.registered && p->live.enabled && !p->live.transition;
}

static void add_cves_fixed(const struct inventory *inv, struct patch_info *all)
{
	for (size_t i = 0; i < inv->n; i++)
		if (in_force(&inv->patches[i]))
			for (size_t k = 0; k < inv->patches[i].info.ncves; k++)
				patch_info_add_cve(all, inv->patches[i].info.cves[k]);
	patch_info_sort(all);
}

static void taint_json(struct strbuf *sb)
{
	unsigned long v = taint_read();
	char letters[64];
	size_t nl = 0;

	sb_addf(sb, "\"taint\":{\"value\":%lu,\"flags\":[", v);
	for (const struct taint_flag *f = taint_flags(); f->name; f++)
		if (v & (1ul << f->bit)) {
			sb_addf(sb, "%s{\"bit\":%u,\"letter\":\"%c\",\"name\":\"%s\"}", nl ? "," : "",
				f->bit, f->letter, f->name);
			letters[nl++] = f->letter;
		}
	letters[nl] = '\0';
	sb_add(sb, "],\"letters\":");
	sb_add_json_str(sb, letters);
	sb_addf(sb, ",\"livepatch\":%s}", v & (1ul << TAINT_LIVEPATCH) ? "true" : "false");
}

static void print_json(const struct inventory *inv)
{
	struct strbuf sb = {0};
	struct patch_info fixed = { .replace = -1 };
	struct utsname u;

	uname(&u);
	sb_add(&sb, "{\"format\":\"" STATUS_FORMAT "\",\"kernel\":{\"release\":");
	sb_add_json_str(&sb, u.release);
	sb_add(&sb, ",\"version\":");
	sb_add_json_str(&sb, u.version);
	sb_addf(&sb, ",\"livepatch\":%s,\"lpatch_disable\":%s},", klp_supported() ? "true" : "false",
		host_disabled_by_cmdline() ? "true" : "false");
	taint_json(&sb);
	sb_add(&sb, ",\"store\":");
	sb_add_json_str(&sb, inv->root);
	sb_add(&sb, ",\"patches\":[");
	for (size_t i = 0; i < inv->n; i++) {
		const struct host_patch *p = &inv->patches[i];

		sb_addf(&sb, "%s{\"state\":\"%s\",\"loaded\":%s,\"enabled\":%s,\"transition\":%s,"
			"\"installed\":%s,", i ? "," : "", host_patch_state(p),
			p->live.module ? "true" : "false", p->live.enabled ? "true" : "false",
			p->live.transition ? "true" : "false", p->installed ? "true" : "false");
		patch_info_json(&sb, &p->info);
		sb_add(&sb, "}");
	}
	add_cves_fixed(inv, &fixed);
	sb_add(&sb, "],\"cves_fixed\":[");
	for (size_t i = 0; i < fixed.ncves; i++) {
		if (i)
			sb_add(&sb, ",");
		sb_add_json_str(&sb, fixed.cves[i]);
	}
	sb_add(&sb, "]}\n");
	fputs(sb.buf, stdout);
	patch_info_free(&fixed);
	sb_free(&sb);
}

static void print_text(const struct inventory *inv)
{
	struct patch_info fixed = { .replace = -1 };
	unsigned long v = taint_read();

	printf("kernel:  %s (livepatch %s%s)\n", inv->release,
	       klp_supported() ? "supported" : "not supported",
	       host_disabled_by_cmdline() ? "; lpatch.disable=1 on the command line" : "");
	printf("taint:   %lu", v);
	for (const struct taint_flag *f = taint_flags(); f->name; f++)
		if (v & (1ul << f->bit))
			printf(" %c(%s)", f->letter, f->name);
	printf("\n");
	if (!inv->n)
		printf("patches: none loaded or installed\n");
	for (size_t i = 0; i < inv->n; i++) {
		const struct host_patch *p = &inv->patches[i];

		printf("patch:   %s: %s%s", p->info.name, host_patch_state(p),
		       p->installed && p->live.module ? ", installed" : "");
		if (p->info.replace >= 0)
			printf(", %s", p->info.replace ? "replaces" : "stacks");
		for (size_t k = 0; k < p->info.ncves; k++)
			printf("%s%s", k ? ", " : "; CVEs ", p->info.cves[k]);
		printf("\n");
	}
	add_cves_fixed(inv, &fixed);
	printf("fixed:   ");
	for (size_t i = 0; i < fixed.ncves; i++)
		printf("%s%s", i ? " " : "", fixed.cves[i]);
	printf("%s\n", fixed.ncves ? "" : "(no CVE recorded by the enabled patches)");
	patch_info_free(&fixed);
}

int host_status(const char *root, bool json)
{
	struct inventory inv;

	inventory_read(&inv, root);
	if (json)
		print_json(&inv);
	else
		print_text(&inv);
	inventory_free(&inv);
	return LP_EXIT_OK;
}
