/* Which files a config builds, from kbuild's rules in the Makefiles of a
 * small tree laid out like the kernel's (drivers/ata's forms). */
#include "kernel/units.h"
#include "fixture.h"
#include "unit.h"

static const char *root;
static struct kernel_units u;

static void put(const char *rel, const char *text) { fixture_put(root, rel, text); }

static void make_tree(void)
{
	root = fixture_tmp();
	put("drivers/ata/Makefile",
	    "# SPDX\n"
	    "obj-$(CONFIG_ATA)\t\t+= libata.o\n"
	    "obj-$(CONFIG_SATA_AHCI)\t\t+= ahci.o libahci.o\n"
	    "obj-$(CONFIG_ATA_PIIX) += ata_piix.o\n"
	    "libata-y\t:= libata-core.o libata-scsi.o \\\n\t\tlibata-eh.o\n"
	    "libata-$(CONFIG_SATA_PMP)\t+= libata-pmp.o\n"
	    "libata-$(CONFIG_ATA_ACPI)\t+= libata-acpi.o\n"
	    "obj-$(CONFIG_PATA_X) += pata_x.o \\\n\tpata_y.o\n"
	    "obj-$(subst m,y,$(CONFIG_ODD)) += odd.o\n"
	    "twice-objs := $(other-y) twice_part.o\n"
	    "obj-$(CONFIG_ATA) += twice.o\n");
	put("drivers/mlx/Makefile",
	    "obj-$(CONFIG_ATA) += core.o\n"
	    "core-y := main.o\n"
	    "ifneq ($(CONFIG_TC_CT),)\n"
	    "\tcore-y += tc_ct.o\n"
	    "\tifdef CONFIG_ATA\n\t\tcore-y += both.o\n\tendif\n"
	    "else\n"
	    "\tcore-y += no_ct.o\n"
	    "endif\n"
	    "ifeq ($(CONFIG_ATA),y)\ncore-y += ata_y.o\nendif\n"
	    "ifdef CONFIG_OFF_TOO # a comment\ncore-y += off_too.o\nendif\n"
	    "ifeq ($(CONFIG_TC_CT),m)\ncore-y += unread.o\nendif\n"
	    "ifndef CONFIG_TC_CT\ncore-y += not_ct.o\nendif\n");
	put("drivers/kb/Kbuild", "obj-$(CONFIG_KB) += kb.o\n");
	put("drivers/kb/Makefile", "obj-y += kb.o\n");
	put("drivers/ro/Makefile", "obj-$(CONFIG_RO) += ro.o\n");
	put("fs/Makefile", "obj-$(CONFIG_BINFMT_MISC) += binfmt_misc.o\nobj-y += ocfs2/\n");
	put("fs/ocfs2/Makefile", "obj-$(CONFIG_OCFS2_FS) += ocfs2.o\nocfs2-objs := acl.o super.o\n");
	memset(&u, 0, sizeof(u));
	u.src = xstrdup(root);
	strset_add(&u.config, "CONFIG_ATA");
	strset_add(&u.config, "CONFIG_ATA_PIIX");
	strset_add(&u.config, "CONFIG_ATA_ACPI");
	strset_add(&u.config, "CONFIG_BINFMT_MISC");
	strset_add(&u.moddirs, "drivers/ata");
	strset_add(&u.moddirs, "drivers/kb");
	strset_add(&u.moddirs, "drivers/mlx");
	strset_add(&u.moddirs, "drivers/ro");
	strset_add(&u.moddirs, "fs");
}

static void option_off(void)
{
	char *why = units_rule_off(&u, "drivers/ata/ahci.c");

	CHECK_STR(why, "drivers/ata's Makefile makes ahci.o only with CONFIG_SATA_AHCI, which "
		       "its .config does not set");
	free(why);
	why = units_rule_off(&u, "drivers/ata/libahci.c");
	CHECK(why && strstr(why, "CONFIG_SATA_AHCI"));
	free(why);
	/* in a module's directory, but not built: no module is made of it */
	CHECK(!units_maybe_module(&u, "drivers/ata/ahci.c"));
}

static void option_set(void)
{
	CHECK(!units_rule_off(&u, "drivers/ata/ata_piix.c"));
	CHECK(units_maybe_module(&u, "drivers/ata/ata_piix.c"));
}

static void part_of_composite(void)
{
	char *why = units_rule_off(&u, "drivers/ata/libata-pmp.c");

	/* libata is built, its pmp part is not */
	CHECK(why && strstr(why, "makes libata-pmp.o only with CONFIG_SATA_PMP"));
	free(why);
	CHECK(!units_rule_off(&u, "drivers/ata/libata-acpi.c"));
	CHECK(!units_rule_off(&u, "drivers/ata/libata-core.c"));
	CHECK(!units_rule_off(&u, "drivers/ata/libata-eh.c"));	/* after a continuation */
	CHECK(units_maybe_module(&u, "drivers/ata/libata-eh.c"));
}

static void continuation_off(void)
{
	char *why = units_rule_off(&u, "drivers/ata/pata_y.c");

	CHECK(why && strstr(why, "CONFIG_PATA_X"));
	free(why);
}

/* a form this reading does not follow is never taken for "off" */
static void not_sure(void)
{
	CHECK(!units_rule_off(&u, "drivers/ata/odd.c"));
	CHECK(!units_rule_off(&u, "drivers/ata/twice_part.c"));
	CHECK(!units_rule_off(&u, "drivers/ata/nowhere.c"));
	CHECK(units_maybe_module(&u, "drivers/ata/nowhere.c"));
}

static void kbuild_file_first(void)
{
	char *why = units_rule_off(&u, "drivers/kb/kb.c");

	CHECK(why && strstr(why, "CONFIG_KB"));
	free(why);
}

/* the walk up to the Makefile that builds a file: its own directory's, or
 * the nearest above; a module above a directory with a Makefile of its own
 * is not made of that directory's files */
static void owning_makefile(void)
{
	char *why = units_rule_off(&u, "drivers/ata/sub/deeper/ahci.c");

	/* no Makefile in sub/ or sub/deeper/: drivers/ata's names sub/deeper/ahci.o nowhere */
	CHECK(!why);
	CHECK(units_maybe_module(&u, "drivers/ata/sub/deeper/ahci.c"));
	CHECK(units_maybe_module(&u, "fs/binfmt_misc.c"));
	CHECK(!units_maybe_module(&u, "fs/ocfs2/acl.c"));
	CHECK(!units_maybe_module(&u, "fs/ocfs2/cluster/tcp.c"));
	CHECK(!units_rule_off(&u, "fs/ocfs2/cluster/tcp.c"));
	why = units_rule_off(&u, "fs/ocfs2/acl.c");
	CHECK_STR(why, "fs/ocfs2's Makefile makes acl.o only with CONFIG_OCFS2_FS, which its "
		       ".config does not set");
	free(why);
	/* without the tree: a module in any directory above */
	{
		struct kernel_units bare;

		memset(&bare, 0, sizeof(bare));
		strset_add(&bare.moddirs, "fs");
		CHECK(units_maybe_module(&bare, "fs/ocfs2/acl.c"));
		CHECK(!units_maybe_module(&bare, "mm/slub.c"));
		CHECK(!units_rule_off(&bare, "fs/ocfs2/acl.c"));
		units_free(&bare);
	}
}

/* objects inside "ifneq ($(CONFIG_X),)" / "ifdef CONFIG_X" / "ifeq ($(CONFIG_X),y)"
 * need X (the corpus's mlx5 en/tc_ct.c, which failed to compile instead);
 * else branches and other tests are not read */
static void conditional_blocks(void)
{
	char *why = units_rule_off(&u, "drivers/mlx/tc_ct.c");

	CHECK(why && strstr(why, "makes tc_ct.o only with CONFIG_TC_CT"));
	free(why);
	why = units_rule_off(&u, "drivers/mlx/both.c");	/* nested: the unset one */
	CHECK(why && strstr(why, "CONFIG_TC_CT"));
	free(why);
	why = units_rule_off(&u, "drivers/mlx/off_too.c");
	CHECK(why && strstr(why, "CONFIG_OFF_TOO"));
	free(why);
	CHECK(!units_rule_off(&u, "drivers/mlx/main.c"));
	CHECK(!units_rule_off(&u, "drivers/mlx/no_ct.c"));
	CHECK(!units_rule_off(&u, "drivers/mlx/ata_y.c"));
	CHECK(!units_rule_off(&u, "drivers/mlx/unread.c"));
	CHECK(!units_rule_off(&u, "drivers/mlx/not_ct.c"));
	CHECK(!units_maybe_module(&u, "drivers/mlx/tc_ct.c"));
	CHECK(units_maybe_module(&u, "drivers/mlx/main.c"));
}

/* a directory's Makefile is read once, for every file under it: a change to
 * it after the first question goes unseen */
static void makefile_read_once(void)
{
	char *why = units_rule_off(&u, "drivers/ro/ro.c");

	CHECK(why && strstr(why, "CONFIG_RO"));
	free(why);
	put("drivers/ro/Makefile", "obj-y += ro.o\n");
	why = units_rule_off(&u, "drivers/ro/ro.c");
	CHECK(why && strstr(why, "CONFIG_RO"));
	free(why);
	CHECK(!units_maybe_module(&u, "drivers/ro/ro.c"));
}

int main(void)
{
	make_tree();
	RUN(option_off);
	RUN(option_set);
	RUN(part_of_composite);
	RUN(continuation_off);
	RUN(not_sure);
	RUN(kbuild_file_first);
	RUN(owning_makefile);
	RUN(makefile_read_once);
	RUN(conditional_blocks);
	units_free(&u);
	return unit_done();
}
