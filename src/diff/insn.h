/*
 * x86-64 instructions decoded (Zydis underneath, src/diff/insn.c), reduced to
 * what the verifier compares: the operation, its prefixes and its visible
 * operands, with where each displacement or immediate lies in the encoding
 * (for matching relocations). The encoding itself (short or near jump,
 * which padding nop) is deliberately not part of it.
 */
#ifndef LPATCH_DIFF_INSN_H
#define LPATCH_DIFF_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INSN_OPS 5	/* visible operands at most (ZYDIS_MAX_OPERAND_COUNT_VISIBLE) */

enum insn_op_kind { INSN_NONE, INSN_REG, INSN_MEM, INSN_IMM, INSN_PTR };

struct insn_op {
	unsigned char kind;	/* enum insn_op_kind */
	bool rip;		/* memory: RIP-relative */
	bool relative;		/* immediate: a branch displacement */
	unsigned char field;	/* memory, immediate: offset of its bytes in the instruction */
	unsigned char field_size; /* and their number (0: none encoded) */
	uint16_t size;		/* bits */
	int reg;		/* register */
	int mtype, seg, base, index;	/* memory */
	unsigned char scale;
	int64_t value;		/* immediate, or memory displacement */
	uint16_t ptr_seg;	/* far pointer */
	uint32_t ptr_off;
};

struct insn {
	uint32_t off;		/* in the code decoded */
	unsigned char len;
	bool nop;		/* padding: any form of nop */
	bool jmp;		/* an unconditional jump */
	int mnemonic;
	uint64_t prefixes;	/* lock, rep, bnd, xacquire/xrelease */
	unsigned char nops;	/* visible operands */
	struct insn_op op[INSN_OPS];
};

/* Decode the one instruction at code (at most len bytes), which lies at
 * off in the code decoded. Returns 0, or -1 when it is no instruction. */
int insn_decode(const unsigned char *code, size_t len, uint32_t off, struct insn *in);

/*
 * Decode code[0, len) instruction after instruction into *out (caller
 * frees) and *n. Returns 0, or -1 with *bad the offset of bytes that are no
 * instruction (then *out is NULL).
 */
int insn_decode_all(const unsigned char *code, size_t len, struct insn **out, size_t *n,
		    size_t *bad);

/* The AT&T text of the instruction at code (at most len bytes) into buf;
 * branch targets are shown as addresses counted from addr, code's own. */
void insn_format(const unsigned char *code, size_t len, uint64_t addr, char *buf, size_t size);

#endif
