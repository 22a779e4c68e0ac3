/* Differ, issue 3 case 9: how references bind, against the target's real vmlinux. */
#include "kfixture.h"
#include "unit.h"

static struct diff_result cmd, kvm, export_ptr;
static int cmd_code, kvm_code, export_code;

static void bind_changed_function(void)
{
	CHECK(cmd_code == LP_EXIT_OK);
	CHECK_ITEMS(&cmd, "changed cmdline_proc_show, new fx_cmdline_show_ptr, new fx_cmdline_tail");
	CHECK(cmd.nitems && cmd.items[0].sympos == 0);
}

static void bind_exported_links_normally(void)
{
	const struct diff_binding *b = kfix_binding(&cmd, "seq_puts");
	CHECK(b && !b->klp);
	CHECK((b = kfix_binding(&cmd, "seq_putc")) && !b->klp);
}

static void bind_nonexported_global_klp(void)
{
	const struct diff_binding *b = kfix_binding(&cmd, "saved_command_line");
	CHECK(b && b->klp && b->sympos == 0);
}

static void bind_patch_defined_not_bound(void)
{
	CHECK(!kfix_binding(&cmd, "fx_cmdline_tail"));
	CHECK(!kfix_binding(&cmd, "fx_cmdline_show_ptr"));
}

static void bind_pointer_takes_original(void)
{
	/* &cmdline_proc_show in the new function: the target's, not the copy */
	const struct diff_binding *b = kfix_binding(&cmd, "cmdline_proc_show");
	CHECK(b && b->klp && b->sympos == 0);
}

static void bind_pointer_to_changed_export_klp(void)
{
	/* &seq_putc, which the patch changes: the target's seq_putc through a
	 * livepatch relocation, not a normal link (the patch defines its own) */
	const struct diff_binding *b = kfix_binding(&export_ptr, "seq_putc");
	CHECK(export_code == LP_EXIT_OK);
	CHECK_ITEMS(&export_ptr, "changed seq_putc, new fx_seq_putc_ptr");
	CHECK(b && b->klp && b->sympos == 0);
}

static void bind_static_function_sympos(void)
{
	const struct diff_binding *b = kfix_binding(&kvm, "__send_ipi_mask");
	CHECK(kvm_code == LP_EXIT_OK);
	CHECK_ITEMS(&kvm, "new fx_kvm_new");
	/* two in vmlinux (hv_apic.c, kvm.c): kvm.c's is the second */
	CHECK(b && b->klp && b->sympos == 2);
}

static void bind_static_data_klp(void)
{
	const struct diff_binding *b = kfix_binding(&kvm, "kvmapf");
	CHECK(b && b->klp && b->sympos == 0);
}

/* A new global another object of the patch defines: vmlinux lacks it, so
 * it links inside the patch module (not refused as unbindable). */
static void bind_patch_global_inside(void)
{
	const struct diff_binding *b = kfix_binding(&cmd, "fx_patch_message");

	CHECK(b && !b->klp);
}

int main(void)
{
	const char *vmlinux;

	kfix_add_file("cmdline");
	kfix_add_file("kvm");
	kfix_add_file("export_ptr");
	if (kfix_build())
		return 1;
	vmlinux = kfix_target()->vmlinux;
	if (!vmlinux || !path_exists(vmlinux))
		kfix_skip("the target's vmlinux with symbols is not in the cache "
			  "(lpatch target --need symbols debian:cloud)");
	cmd_code = kfix_diff("cmdline", vmlinux, &cmd);
	kvm_code = kfix_diff("kvm", vmlinux, &kvm);
	export_code = kfix_diff("export_ptr", vmlinux, &export_ptr);
	RUN(bind_changed_function);
	RUN(bind_exported_links_normally);
	RUN(bind_nonexported_global_klp);
	RUN(bind_patch_defined_not_bound);
	RUN(bind_pointer_takes_original);
	RUN(bind_pointer_to_changed_export_klp);
	RUN(bind_static_function_sympos);
	RUN(bind_static_data_klp);
	RUN(bind_patch_global_inside);
	diff_result_free(&cmd);
	diff_result_free(&kvm);
	diff_result_free(&export_ptr);
	kfix_cleanup();
	return unit_done();
}
