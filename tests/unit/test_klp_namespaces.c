/*
 * A livepatch module imports the symbol namespaces of the exports it uses
 * (klp/namespaces.c): modpost refused the corpus's fs/efivarfs/super.c fix,
 * "uses symbol efivar_query_variable_info from namespace EFIVAR, but does not
 * import it".
 */
#include "klp/module.h"
#include "fixture.h"
#include "unit.h"

static const char *const symvers =
	"0x11111111\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n"
	"0xee5240dc\tefivar_query_variable_info\tvmlinux\tEXPORT_SYMBOL_GPL\tEFIVAR\n"
	"0x4bad1b03\tcrypto_cipher_setkey\tvmlinux\tEXPORT_SYMBOL_GPL\tCRYPTO_INTERNAL\n"
	"0x22222222\tefivar_lock\tvmlinux\tEXPORT_SYMBOL_GPL\tEFIVAR\n"
	"0x33333333\tcxl_thing\tcxl_core\tEXPORT_SYMBOL_GPL\tCXL\n";

static void imports_what_the_parts_use(void)
{
	char *sv = path_join(fixture_tmp(), "Module.symvers");
	char *o1 = fixture_cc("ns1", "int efivar_query_variable_info(void);\n"
				     "int efivar_lock(void);\nint printk(const char *, ...);\n"
				     "int f(void) { printk(\"x\"); return efivar_query_variable_info() + "
				     "efivar_lock(); }\n", NULL);
	char *o2 = fixture_cc("ns2", "int crypto_cipher_setkey(void);\n"
				     "int g(void) { return crypto_cipher_setkey(); }\n", NULL);
	struct diff_result r1 = {0}, r2 = {0};
	struct klp_part parts[2] = {
		{ .objname = "vmlinux", .source = "ns1.c", .diff = &r1 },
		{ .objname = "vmlinux", .source = "ns2.c", .diff = &r2 },
	};
	char **ns = NULL;
	size_t n;

	write_file(sv, symvers, strlen(symvers));
	CHECK(o1 && o2);
	r1.out = o1 ? elf_open(o1, 0) : NULL;
	r2.out = o2 ? elf_open(o2, 0) : NULL;
	CHECK(r1.out && r2.out);
	n = klp_namespaces(sv, parts, 2, &ns);
	/* each namespace once, sorted; printk has none, cxl_thing is not used */
	CHECK(n == 2);
	CHECK(n == 2 && !strcmp(ns[0], "CRYPTO_INTERNAL") && !strcmp(ns[1], "EFIVAR"));
	for (size_t i = 0; i < n; i++)
		free(ns[i]);
	free(ns);
	/* one part, none of its exports in a namespace */
	CHECK(klp_namespaces(sv, &parts[1], 0, &ns) == 0 && ns == NULL);
	/* no Module.symvers: nothing to import, no error */
	CHECK(klp_namespaces("/nonexistent/Module.symvers", parts, 2, &ns) == 0);
	elf_close(r1.out);
	elf_close(r2.out);
	free(o1);
	free(o2);
	free(sv);
}

int main(void)
{
	RUN(imports_what_the_parts_use);
	fixture_cleanup();
	return unit_done();
}
