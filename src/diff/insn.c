/* x86-64 decoding for the verifier, on Zydis (libzydis). */
#include "diff/insn.h"

#include "util/str.h"

#include <Zydis/Zydis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIXES (ZYDIS_ATTRIB_HAS_LOCK | ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | \
		  ZYDIS_ATTRIB_HAS_REPNE | ZYDIS_ATTRIB_HAS_BND | ZYDIS_ATTRIB_HAS_XACQUIRE | \
		  ZYDIS_ATTRIB_HAS_XRELEASE)

static void decoder(ZydisDecoder *d)
{
	ZydisDecoderInit(d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
}

/* One operand as the verifier sees it; nimm counts the immediates so far
 * (Zydis gives them in encoding order, raw.imm[0] then raw.imm[1]). */
static void operand(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo,
		    unsigned *nimm, struct insn_op *op)
{
	memset(op, 0, sizeof(*op));
	op->size = zo->size;
	switch (zo->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER:
		op->kind = INSN_REG;
		op->reg = zo->reg.value;
		break;
	case ZYDIS_OPERAND_TYPE_MEMORY:
		op->kind = INSN_MEM;
		op->mtype = zo->mem.type;
		op->seg = zo->mem.segment;
		op->base = zo->mem.base;
		op->index = zo->mem.index;
		op->scale = zo->mem.scale;
		op->rip = zo->mem.base == ZYDIS_REGISTER_RIP;
		op->value = zo->mem.disp.has_displacement ? zo->mem.disp.value : 0;
		if (zi->raw.disp.size) {
			op->field = zi->raw.disp.offset;
			op->field_size = zi->raw.disp.size / 8;
		}
		break;
	case ZYDIS_OPERAND_TYPE_IMMEDIATE:
		op->kind = INSN_IMM;
		op->relative = zo->imm.is_relative;
		op->value = zo->imm.value.s;
		if (*nimm < 2 && zi->raw.imm[*nimm].size) {
			op->field = zi->raw.imm[*nimm].offset;
			op->field_size = zi->raw.imm[*nimm].size / 8;
		}
		(*nimm)++;
		break;
	case ZYDIS_OPERAND_TYPE_POINTER:
		op->kind = INSN_PTR;
		op->ptr_seg = zo->ptr.segment;
		op->ptr_off = zo->ptr.offset;
		break;
	default:
		break;
	}
}

int insn_decode(const unsigned char *code, size_t len, uint32_t off, struct insn *in)
{
	ZydisDecoder d;
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	unsigned nimm = 0;

	decoder(&d);
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d, code, len, &zi, zo)))
		return -1;
	memset(in, 0, sizeof(*in));
	in->off = off;
	in->len = zi.length;
	in->mnemonic = zi.mnemonic;
	in->nop = zi.mnemonic == ZYDIS_MNEMONIC_NOP;
	in->jmp = zi.mnemonic == ZYDIS_MNEMONIC_JMP;
	in->prefixes = zi.attributes & PREFIXES;
	in->nops = zi.operand_count_visible < INSN_OPS ? zi.operand_count_visible : INSN_OPS;
	for (unsigned i = 0; i < in->nops; i++)
		operand(&zi, &zo[i], &nimm, &in->op[i]);
	return 0;
}

int insn_decode_all(const unsigned char *code, size_t len, struct insn **out, size_t *n,
		    size_t *bad)
{
	struct insn *v = NULL;
	size_t cnt = 0, cap = 0, off = 0;

	while (off < len) {
		struct insn *in = ARRAY_PUSH(v, cnt, cap);

		if (insn_decode(code + off, len - off, off, in)) {
			free(v);
			*out = NULL;
			*n = 0;
			*bad = off;
			return -1;
		}
		off += in->len;
	}
	*out = v;
	*n = cnt;
	return 0;
}

void insn_format(const unsigned char *code, size_t len, uint64_t addr, char *buf, size_t size)
{
	ZydisDecoder d;
	ZydisFormatter f;
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];

	decoder(&d);
	/* objdump's look: lower-case hex without padding, RIP-relative
	 * operands as written (their address means nothing in an object) */
	if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d, code, len, &zi, zo)) ||
	    !ZYAN_SUCCESS(ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_ATT)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_FORCE_RELATIVE_RIPREL,
						    ZYAN_TRUE)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE,
						    ZYAN_FALSE)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE,
						    ZYDIS_PADDING_DISABLED)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_DISP_PADDING,
						    ZYDIS_PADDING_DISABLED)) ||
	    !ZYAN_SUCCESS(ZydisFormatterSetProperty(&f, ZYDIS_FORMATTER_PROP_IMM_PADDING,
						    ZYDIS_PADDING_DISABLED)) ||
	    !ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&f, &zi, zo, zi.operand_count_visible,
							  buf, size, addr, NULL)))
		snprintf(buf, size, "(bytes that are no instruction)");
}
