/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kpatch-syscall.h for lpatch: KPATCH_SYSCALL_DEFINE1..6 are the
 * LPATCH_SYSCALL_DEFINE1..6 of lpatch.h (why they exist is explained there).
 */
#ifndef LPATCH_KPATCH_SYSCALL_H
#define LPATCH_KPATCH_SYSCALL_H

#include "kpatch-macros.h"

#define KPATCH_SYSCALL_DEFINE1(name, ...) LPATCH_SYSCALL_DEFINE1(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) LPATCH_SYSCALL_DEFINE2(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) LPATCH_SYSCALL_DEFINE3(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) LPATCH_SYSCALL_DEFINE4(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) LPATCH_SYSCALL_DEFINE5(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) LPATCH_SYSCALL_DEFINE6(name, __VA_ARGS__)

#endif /* LPATCH_KPATCH_SYSCALL_H */
