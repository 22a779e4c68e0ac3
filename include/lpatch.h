/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lpatch.h: what a patch author may write in a kernel source diff that
 * `lpatch build` turns into a livepatch module.
 *
 * `lpatch build` puts the directory holding this file on the compiler's
 * include path, so a patched .c file just says  #include "lpatch.h".
 *
 * Every macro below leaves a small marker variable in a section whose name
 * starts with ".lpatch."; lpatch's differ reads those markers from the
 * patched object and never carries the markers themselves into the module
 * (src/diff/author.c). The marker variables reference the functions they
 * name, so the compiler checks the names and the callback types.
 *
 *   LPATCH_PRE_PATCH_CALLBACK(fn)    int  fn(struct klp_object *obj)
 *   LPATCH_POST_PATCH_CALLBACK(fn)   void fn(struct klp_object *obj)
 *   LPATCH_PRE_UNPATCH_CALLBACK(fn)  void fn(struct klp_object *obj)
 *   LPATCH_POST_UNPATCH_CALLBACK(fn) void fn(struct klp_object *obj)
 *	Callbacks of the klp_object this source file belongs to (vmlinux, or
 *	the module the file is built into); see the kernel's
 *	Documentation/livepatch/callbacks.rst for when each runs. A pre-patch
 *	callback that returns non-zero stops the patch from being applied to
 *	that object. At most one of each kind per object.
 *
 *   LPATCH_IGNORE_FUNCTION(fn)   the differ treats fn as unchanged
 *   LPATCH_IGNORE_SECTION(name)  ... and every symbol in section "name"
 *   LPATCH_FORCE_FUNCTION(fn)    the differ treats fn as changed: the patch
 *				  carries it and redirects the original to it
 *
 *   LPATCH_SYSCALL_DEFINE1..6(name, type, arg, ...)
 *	Like SYSCALL_DEFINEn, for a syscall whose body the patch changes.
 *	The kernel's SYSCALL_DEFINEn puts the body in a "static inline"
 *	function, __do_sys_NAME, and "inline" implies notrace in the kernel:
 *	when the compiler keeps that function out of line it has no ftrace
 *	call and livepatch cannot redirect it. These macros give the body
 *	another name, so the differ sees a new function, and the entry stubs
 *	(__x64_sys_NAME, __ia32_sys_NAME), which do have an ftrace call, are
 *	what the patch redirects. SYSCALL_DEFINE0 needs no replacement: its
 *	body is an ordinary static function.
 *
 * Shadow variables: use the kernel's own klp_shadow_get(),
 * klp_shadow_alloc(), klp_shadow_get_or_alloc(), klp_shadow_free() and
 * klp_shadow_free_all() from <linux/livepatch.h> (included here).
 */
#ifndef LPATCH_AUTHOR_H
#define LPATCH_AUTHOR_H

#include <linux/compiler.h>
#include <linux/livepatch.h>
#include <linux/syscalls.h>

/* One marker, in its own named section; the name ties it to its line. */
#define __LPATCH_MARKER(section, type, name) \
	static type name __used __section(section)

/* Callbacks: the marker holds the function; the writer reads it back. */
typedef int (*__lpatch_pre_patch_t)(struct klp_object *obj);
typedef void (*__lpatch_post_patch_t)(struct klp_object *obj);
typedef void (*__lpatch_pre_unpatch_t)(struct klp_object *obj);
typedef void (*__lpatch_post_unpatch_t)(struct klp_object *obj);

#define __LPATCH_CALLBACK(kind, fn)							\
	_Static_assert(__builtin_types_compatible_p(typeof(&fn), __lpatch_##kind##_t),	\
		       "lpatch: " #fn ", a " #kind " callback, does not have the type "	\
		       "the kernel's struct klp_callbacks gives it");			\
	__LPATCH_MARKER(".lpatch.callbacks." #kind, const __lpatch_##kind##_t,		\
			__lpatch_callback_##kind) = fn

#define LPATCH_PRE_PATCH_CALLBACK(fn)    __LPATCH_CALLBACK(pre_patch, fn)
#define LPATCH_POST_PATCH_CALLBACK(fn)   __LPATCH_CALLBACK(post_patch, fn)
#define LPATCH_PRE_UNPATCH_CALLBACK(fn)  __LPATCH_CALLBACK(pre_unpatch, fn)
#define LPATCH_POST_UNPATCH_CALLBACK(fn) __LPATCH_CALLBACK(post_unpatch, fn)

/* What the differ includes: markers naming a function or a section. */
#define LPATCH_IGNORE_FUNCTION(fn) \
	__LPATCH_MARKER(".lpatch.ignore.functions", void *const, __lpatch_ignore_##fn) = (void *)&fn
#define LPATCH_FORCE_FUNCTION(fn) \
	__LPATCH_MARKER(".lpatch.force.functions", void *const, __lpatch_force_##fn) = (void *)&fn
#define LPATCH_IGNORE_SECTION(name) \
	__LPATCH_MARKER(".lpatch.ignore.sections", const char *const, \
			__UNIQUE_ID(__lpatch_ignore_section_)) = (name)

/*
 * Syscalls. The layout is the x86-64 one of the kernel's
 * arch/x86/include/asm/syscall_wrapper.h (6.1): an entry stub per ABI
 * takes struct pt_regs and calls __se_sys_NAME with the registers as longs,
 * which casts them to the declared types and calls the body. Only the
 * body's name differs (__lpatch_do_sys_NAME), and the stubs are not
 * registered for error injection (the original's registration stays).
 */
#ifndef CONFIG_X86_64
#error "lpatch.h: LPATCH_SYSCALL_DEFINE* supports x86-64 kernels only"
#endif

#define __LPATCH_SYSCALL_STUB(abi, name, ...)				\
	long __##abi##_sys##name(const struct pt_regs *regs);		\
	long __##abi##_sys##name(const struct pt_regs *regs)		\
	{								\
		return __se_sys##name(__VA_ARGS__);			\
	}

#if defined(CONFIG_IA32_EMULATION)
/* 32-bit callers pass arguments in bx, cx, dx, si, di, bp, zero-extended */
#define __LPATCH_SYSCALL_IA32(x, name, ...)				\
	__LPATCH_SYSCALL_STUB(ia32, name,				\
		SYSCALL_PT_ARGS(x, __SC_COMPAT_CAST, __MAP(x, __SC_TYPE, __VA_ARGS__)))
#else
#define __LPATCH_SYSCALL_IA32(x, name, ...)
#endif

#define __LPATCH_SYSCALL_DEFINEx(x, name, ...)				\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));	\
	static inline long __lpatch_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__)); \
	__LPATCH_SYSCALL_STUB(x64, name, SC_X86_64_REGS_TO_ARGS(x, __VA_ARGS__)) \
	__LPATCH_SYSCALL_IA32(x, name, __VA_ARGS__)			\
	static long __se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))	\
	{								\
		long ret = __lpatch_do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__)); \
		__MAP(x, __SC_TEST, __VA_ARGS__);			\
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));	\
		return ret;						\
	}								\
	static inline long __lpatch_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

/* The syscall tracing metadata is declared as SYSCALL_DEFINEn declares it. */
#define LPATCH_SYSCALL_DEFINEx(x, sname, ...)				\
	SYSCALL_METADATA(sname, x, __VA_ARGS__)				\
	__LPATCH_SYSCALL_DEFINEx(x, sname, __VA_ARGS__)

#define LPATCH_SYSCALL_DEFINE1(name, ...) LPATCH_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define LPATCH_SYSCALL_DEFINE2(name, ...) LPATCH_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define LPATCH_SYSCALL_DEFINE3(name, ...) LPATCH_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define LPATCH_SYSCALL_DEFINE4(name, ...) LPATCH_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define LPATCH_SYSCALL_DEFINE5(name, ...) LPATCH_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define LPATCH_SYSCALL_DEFINE6(name, ...) LPATCH_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* LPATCH_AUTHOR_H */
