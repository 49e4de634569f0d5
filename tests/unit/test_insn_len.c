/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 decoder (vmm/emul/decode.c; the MMIO emulator's use of it is
 * test_emulate's): a table of encodings with their lengths in
 * 16-, 32- and 64-bit code, every truncation of them, encodings recorded
 * from binutils (test_insn_len.inc, made by test_insn_len.py), and PRNG
 * garbage checked for consistency.
 *
 * `test_insn_len --table` prints the hand-written table and
 * `test_insn_len --lengths` decodes "BITS HEX" lines from stdin, so that
 * test_insn_len.py can compare both against objdump.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/errno.h"
#include "vmm/emul/decode.h"

#define X (-EINVAL)

struct row {
	const char *hex;
	int len[3]; /* 16-bit (real and protected), 32-bit, 64-bit code */
};

static const struct row rows[] = {
	/* The instructions guests exit on. */
	{ "0f a2", { 2, 2, 2 } },                   /* CPUID */
	{ "0f 32", { 2, 2, 2 } },                   /* RDMSR */
	{ "0f 30", { 2, 2, 2 } },                   /* WRMSR */
	{ "0f 31", { 2, 2, 2 } },                   /* RDTSC */
	{ "0f 01 f9", { 3, 3, 3 } },                /* RDTSCP */
	{ "0f 01 d9", { 3, 3, 3 } },                /* VMMCALL */
	{ "0f 01 c1", { 3, 3, 3 } },                /* VMCALL */
	{ "0f 01 d1", { 3, 3, 3 } },                /* XSETBV */
	{ "0f 01 d0", { 3, 3, 3 } },                /* XGETBV */
	{ "f4", { 1, 1, 1 } },                      /* HLT */
	{ "e4 80", { 2, 2, 2 } },                   /* IN al, imm8 */
	{ "e5 80", { 2, 2, 2 } },
	{ "e6 80", { 2, 2, 2 } },                   /* OUT imm8, al */
	{ "e7 80", { 2, 2, 2 } },
	{ "ec", { 1, 1, 1 } },                      /* IN al, dx */
	{ "ed", { 1, 1, 1 } },
	{ "ee", { 1, 1, 1 } },
	{ "ef", { 1, 1, 1 } },
	{ "66 ed", { 2, 2, 2 } },
	{ "66 e7 80", { 3, 3, 3 } },
	{ "f3 6c", { 2, 2, 2 } },                   /* REP INSB */
	{ "f3 6d", { 2, 2, 2 } },
	{ "f3 6e", { 2, 2, 2 } },                   /* REP OUTSB */
	{ "f3 66 6f", { 3, 3, 3 } },
	{ "66 f3 6f", { 3, 3, 3 } },
	{ "f3 67 6e", { 3, 3, 3 } },
	{ "f3 48 6f", { 2, 2, 3 } },
	{ "0f 20 c0", { 3, 3, 3 } },                /* MOV eax, cr0 */
	{ "0f 22 d8", { 3, 3, 3 } },                /* MOV cr3, eax */
	{ "0f 20 00", { 3, 3, 3 } },                /* mod is ignored */
	{ "0f 22 05 11 22 33 44", { 3, 3, 3 } },
	{ "44 0f 20 c0", { 1, 1, 4 } },             /* MOV rax, cr8 */
	{ "f0 0f 20 c0", { 4, 4, 4 } },             /* AMD's CR8 alias */
	{ "0f 21 c0", { 3, 3, 3 } },                /* MOV eax, dr0 */
	{ "0f 23 f8", { 3, 3, 3 } },
	{ "0f 01 38", { 3, 3, 3 } },                /* INVLPG [eax] */
	{ "0f 01 3d 11 22 33 44", { 3, 7, 7 } },    /* INVLPG [di] / [rip+d32] */
	{ "0f 01 7c 24 08", { 4, 5, 5 } },
	{ "0f 01 f8", { 3, 3, 3 } },                /* SWAPGS */
	{ "0f 01 ca", { 3, 3, 3 } },                /* CLAC */
	{ "0f 01 cb", { 3, 3, 3 } },                /* STAC */
	{ "0f 01 d8", { 3, 3, 3 } },                /* VMRUN */
	{ "0f 01 dd", { 3, 3, 3 } },                /* CLGI */
	{ "0f 01 df", { 3, 3, 3 } },                /* INVLPGA */
	{ "0f 01 c8", { 3, 3, 3 } },                /* MONITOR */
	{ "0f 01 c9", { 3, 3, 3 } },                /* MWAIT */
	{ "0f 01 ee", { 3, 3, 3 } },                /* RDPKRU */
	{ "0f 01 fc", { 3, 3, 3 } },                /* CLZERO */
	{ "0f 01 10", { 3, 3, 3 } },                /* LGDT [eax] */
	{ "0f 01 15 11 22 33 44", { 3, 7, 7 } },
	{ "0f 00 d0", { 3, 3, 3 } },                /* LLDT ax */
	{ "0f 06", { 2, 2, 2 } },                   /* CLTS */
	{ "0f 09", { 2, 2, 2 } },                   /* WBINVD */
	{ "0f 33", { 2, 2, 2 } },                   /* RDPMC */
	{ "0f aa", { 2, 2, 2 } },                   /* RSM */
	/* ModRM, SIB and displacements (89 = MOV r/m, r). */
	{ "89 c0", { 2, 2, 2 } },
	{ "89 00", { 2, 2, 2 } },
	{ "89 04 24", { 2, 3, 3 } },
	{ "89 05 11 22 33 44", { 2, 6, 6 } },
	{ "89 06 11 22", { 4, 2, 2 } },
	{ "89 44 24 08", { 3, 4, 4 } },
	{ "89 84 24 11 22 33 44", { 4, 7, 7 } },
	{ "89 04 25 11 22 33 44", { 2, 7, 7 } },
	{ "89 04 05 11 22 33 44", { 2, 7, 7 } },
	{ "89 45 08", { 3, 3, 3 } },
	{ "89 85 11 22 33 44", { 4, 6, 6 } },
	{ "89 80 11 22 33 44", { 4, 6, 6 } },
	{ "89 0c 8d 11 22 33 44", { 2, 7, 7 } },    /* SIB index, no base */
	{ "89 4c 8d 11", { 3, 4, 4 } },
	{ "67 89 06 11 22", { 3, 5, 3 } },
	{ "67 89 04 24", { 4, 3, 4 } },
	{ "67 89 05 11 22 33 44", { 7, 3, 7 } },
	{ "48 89 05 11 22 33 44", { 1, 1, 7 } },    /* MOV [rip+d32], rax */
	{ "8b 05 11 22 33 44", { 2, 6, 6 } },
	{ "8b 46 fe", { 3, 3, 3 } },                /* [bp-2] / [esi-2] */
	{ "8b 86 11 22 33 44", { 4, 6, 6 } },
	{ "8b 1e 11 22", { 4, 2, 2 } },             /* [disp16] / [esi] */
	/* Immediates: ib, iz with 66 and REX.W, iv, iw, moffs, far, ENTER. */
	{ "04 11", { 2, 2, 2 } },
	{ "05 11 22 33 44", { 3, 5, 5 } },
	{ "66 05 11 22 33 44", { 6, 4, 4 } },
	{ "48 05 11 22 33 44", { 1, 1, 6 } },
	{ "66 48 05 11 22 33 44", { 2, 2, 7 } },    /* REX.W wins over 66 */
	{ "48 66 05 11 22 33 44", { 1, 1, 5 } },    /* REX before 66 is ignored */
	{ "68 11 22 33 44", { 3, 5, 5 } },
	{ "66 68 11 22 33 44", { 6, 4, 4 } },
	{ "6a 11", { 2, 2, 2 } },
	{ "69 c0 11 22 33 44", { 4, 6, 6 } },
	{ "6b c0 11", { 3, 3, 3 } },
	{ "80 c0 11", { 3, 3, 3 } },
	{ "81 c0 11 22 33 44", { 4, 6, 6 } },
	{ "82 c0 11", { 3, 3, X } },
	{ "83 c0 11", { 3, 3, 3 } },
	{ "81 04 24 11 22 33 44", { 4, 7, 7 } },
	{ "81 84 24 11 22 33 44 55 66 77 88", { 6, 11, 11 } },
	{ "c6 00 11", { 3, 3, 3 } },
	{ "c7 00 11 22 33 44", { 4, 6, 6 } },
	{ "48 c7 c0 11 22 33 44", { 1, 1, 7 } },
	{ "c7 f8 11 22 33 44", { 4, 6, 6 } },       /* XBEGIN */
	{ "c6 f8 11", { 3, 3, 3 } },                /* XABORT */
	{ "b0 11", { 2, 2, 2 } },
	{ "b8 11 22 33 44", { 3, 5, 5 } },
	{ "48 b8 11 22 33 44 55 66 77 88", { 1, 1, 10 } }, /* MOV rax, imm64 */
	{ "49 bf 11 22 33 44 55 66 77 88", { 1, 1, 10 } },
	{ "41 b8 11 22 33 44", { 1, 1, 6 } },
	{ "66 b8 11 22 33 44", { 6, 4, 4 } },
	{ "48 41 b8 11 22 33 44", { 1, 1, 7 } },    /* the last REX counts */
	{ "41 48 b8 11 22 33 44 55 66 77 88", { 1, 1, 11 } },
	{ "a1 11 22 33 44 55 66 77 88", { 3, 5, 9 } },
	{ "a0 11 22 33 44 55 66 77 88", { 3, 5, 9 } },
	{ "67 a1 11 22 33 44", { 6, 4, 6 } },
	{ "66 a3 11 22 33 44 55 66 77 88", { 4, 6, 10 } },
	{ "48 a3 11 22 33 44 55 66 77 88", { 1, 1, 10 } },
	{ "c2 11 22", { 3, 3, 3 } },
	{ "66 c2 11 22", { 4, 4, 4 } },
	{ "ca 11 22", { 3, 3, 3 } },
	{ "c3", { 1, 1, 1 } },
	{ "cb", { 1, 1, 1 } },
	{ "c8 11 22 33", { 4, 4, 4 } },             /* ENTER iw, ib */
	{ "cd 80", { 2, 2, 2 } },
	{ "cc", { 1, 1, 1 } },
	{ "cf", { 1, 1, 1 } },
	{ "f1", { 1, 1, 1 } },
	{ "9a 11 22 33 44 55 66", { 5, 7, X } },
	{ "66 9a 11 22 33 44 55 66", { 8, 6, X } },
	{ "ea 11 22 33 44 55 66", { 5, 7, X } },
	{ "e8 11 22 33 44", { 3, 5, 5 } },
	{ "e9 11 22 33 44", { 3, 5, 5 } },
	{ "66 e8 11 22 33 44", { 6, 4, 4 } },       /* AMD: rel16 in 64-bit mode */
	{ "eb 11", { 2, 2, 2 } },
	{ "70 11", { 2, 2, 2 } },
	{ "e2 11", { 2, 2, 2 } },
	{ "e3 11", { 2, 2, 2 } },
	{ "0f 84 11 22 33 44", { 4, 6, 6 } },
	{ "66 0f 84 11 22 33 44", { 7, 5, 5 } },
	/* Group 3: TEST has an immediate, the others not. */
	{ "f6 c0 11", { 3, 3, 3 } },
	{ "f6 c8 11", { 3, 3, 3 } },
	{ "f6 d0", { 2, 2, 2 } },
	{ "f6 d8", { 2, 2, 2 } },
	{ "f6 e0", { 2, 2, 2 } },
	{ "f6 f8", { 2, 2, 2 } },
	{ "f6 05 11 22 33 44 55", { 3, 7, 7 } },
	{ "f7 c0 11 22 33 44", { 4, 6, 6 } },
	{ "f7 d0", { 2, 2, 2 } },
	{ "f7 f1", { 2, 2, 2 } },
	{ "66 f7 c0 11 22 33 44", { 7, 5, 5 } },
	{ "48 f7 c0 11 22 33 44", { 1, 1, 7 } },
	{ "f7 44 24 08 11 22 33 44", { 5, 8, 8 } },
	{ "fe c0", { 2, 2, 2 } },
	{ "ff 15 11 22 33 44", { 2, 6, 6 } },       /* CALL [rip+d32] */
	{ "ff e0", { 2, 2, 2 } },
	/* Opcodes invalid in 64-bit mode. */
	{ "06", { 1, 1, X } },
	{ "07", { 1, 1, X } },
	{ "0e", { 1, 1, X } },
	{ "16", { 1, 1, X } },
	{ "17", { 1, 1, X } },
	{ "1e", { 1, 1, X } },
	{ "1f", { 1, 1, X } },
	{ "27", { 1, 1, X } },
	{ "2f", { 1, 1, X } },
	{ "37", { 1, 1, X } },
	{ "3f", { 1, 1, X } },
	{ "60", { 1, 1, X } },
	{ "61", { 1, 1, X } },
	{ "ce", { 1, 1, X } },
	{ "d4 0a", { 2, 2, X } },
	{ "d5 0a", { 2, 2, X } },
	{ "d6", { 1, 1, X } },                      /* SALC */
	{ "63 c1", { 2, 2, 2 } },                   /* ARPL / MOVSXD */
	{ "40 0f a2", { 1, 1, 3 } },                /* INC eax / REX */
	/* Legacy prefixes. */
	{ "2e 90", { 2, 2, 2 } },
	{ "3e 90", { 2, 2, 2 } },
	{ "26 90", { 2, 2, 2 } },
	{ "36 90", { 2, 2, 2 } },
	{ "64 90", { 2, 2, 2 } },
	{ "65 90", { 2, 2, 2 } },
	{ "f0 01 00", { 3, 3, 3 } },
	{ "f2 f3 f2 f3 90", { 5, 5, 5 } },
	{ "f3 0f a2", { 3, 3, 3 } },
	{ "66 0f 01 d9", { 4, 4, 4 } },
	{ "48 66 90", { 1, 1, 3 } },
	{ "66 66 2e 0f 1f 84 00 00 00 00 00", { 8, 11, 11 } },
	{ "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", { 15, 15, 15 } },
	{ "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", { X, X, X } },
	{ "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66", { X, X, X } }, /* no need to wait */
	{ "66 67 2e 48 81 84 24 11 22 33 44 55 66 77 88", { 4, 4, 15 } },
	{ "f0 66 67 2e 48 81 84 24 11 22 33 44 55 66 77 88", { 5, 5, X } },
	/* The 0F map. */
	{ "0f 05", { 2, 2, 2 } },                   /* SYSCALL */
	{ "0f 07", { 2, 2, 2 } },
	{ "0f 34", { 2, 2, 2 } },                   /* SYSENTER */
	{ "0f 35", { 2, 2, 2 } },
	{ "0f 37", { 2, 2, 2 } },                   /* GETSEC */
	{ "0f 0b", { 2, 2, 2 } },                   /* UD2 */
	{ "0f b9 c0", { 3, 3, 3 } },                /* UD1 */
	{ "0f ff c0", { 3, 3, 3 } },                /* UD0 */
	{ "0f 77", { 2, 2, 2 } },                   /* EMMS */
	{ "0f 0e", { 2, 2, 2 } },                   /* FEMMS */
	{ "0f a0", { 2, 2, 2 } },
	{ "0f a9", { 2, 2, 2 } },
	{ "0f a4 c0 04", { 4, 4, 4 } },             /* SHLD imm8 */
	{ "0f ac c0 04", { 4, 4, 4 } },
	{ "0f a5 c0", { 3, 3, 3 } },
	{ "0f ba e0 04", { 4, 4, 4 } },
	{ "0f b6 c0", { 3, 3, 3 } },
	{ "0f c7 f0", { 3, 3, 3 } },                /* RDRAND */
	{ "48 0f c7 0e", { 1, 1, 4 } },             /* CMPXCHG16B */
	{ "0f c8", { 2, 2, 2 } },                   /* BSWAP */
	{ "0f ae f0", { 3, 3, 3 } },                /* MFENCE */
	{ "66 0f ae 38", { 4, 4, 4 } },             /* CLFLUSHOPT */
	{ "f3 48 0f ae c0", { 2, 2, 5 } },          /* RDFSBASE */
	{ "f3 0f 1e fa", { 4, 4, 4 } },             /* ENDBR64 */
	{ "0f 1f 44 00 00", { 4, 5, 5 } },
	{ "66 0f 1f 84 00 00 00 00 00", { 6, 9, 9 } },
	{ "0f 18 00", { 3, 3, 3 } },
	{ "0f 0d 08", { 3, 3, 3 } },
	{ "0f 40 c1", { 3, 3, 3 } },
	{ "0f 90 c0", { 3, 3, 3 } },
	{ "0f af c1", { 3, 3, 3 } },
	{ "f3 0f b8 c1", { 4, 4, 4 } },             /* POPCNT */
	{ "0f 10 c1", { 3, 3, 3 } },
	{ "66 0f 6f c1", { 4, 4, 4 } },
	{ "f3 0f 6f 04 24", { 4, 5, 5 } },
	{ "66 0f 70 c1 1b", { 5, 5, 5 } },          /* PSHUFD imm8 */
	{ "0f 71 d0 04", { 4, 4, 4 } },
	{ "66 0f 73 d8 04", { 5, 5, 5 } },
	{ "0f c2 c1 00", { 4, 4, 4 } },
	{ "0f c6 c1 00", { 4, 4, 4 } },
	{ "66 0f c4 c0 01", { 5, 5, 5 } },
	{ "0f c5 c0 01", { 4, 4, 4 } },
	{ "66 0f 78 c0 01 02", { 6, 6, 6 } },       /* EXTRQ ib, ib */
	{ "f2 0f 78 c1 01 02", { 6, 6, 6 } },       /* INSERTQ ib, ib */
	{ "0f 78 c0", { 3, 3, 3 } },                /* VMREAD */
	{ "66 0f 79 c1", { 4, 4, 4 } },
	{ "0f 0f c1 b4", { 4, 4, 4 } },             /* 3DNow! PFMUL */
	{ "0f 0f 04 24 b4", { 4, 5, 5 } },
	{ "0f 04", { X, X, X } },
	{ "0f 0a", { X, X, X } },
	{ "0f 0c", { X, X, X } },
	{ "0f 24 c0", { X, X, X } },
	{ "0f 36", { X, X, X } },
	{ "0f 39", { X, X, X } },
	{ "0f 3b", { X, X, X } },
	{ "0f 7a c0", { X, X, X } },
	{ "0f a6 c0", { X, X, X } },
	/* The 0F 38 and 0F 3A maps. */
	{ "66 0f 38 00 c1", { 5, 5, 5 } },          /* PSHUFB */
	{ "0f 38 f0 00", { 4, 4, 4 } },             /* MOVBE */
	{ "f2 0f 38 f1 c1", { 5, 5, 5 } },          /* CRC32 */
	{ "0f 38 00 05 11 22 33 44", { 4, 8, 8 } },
	{ "66 0f 3a 0f c1 08", { 6, 6, 6 } },       /* PALIGNR */
	{ "66 48 0f 3a 16 c0 01", { 2, 2, 7 } },    /* PEXTRQ */
	{ "66 0f 3a 44 05 11 22 33 44 01", { 6, 10, 10 } },
	/* VEX (C5, C4): in 16/32-bit code only with ModRM.mod == 3 next. */
	{ "c5 f8 77", { 3, 3, 3 } },                /* VZEROUPPER */
	{ "c5 fc 77", { 3, 3, 3 } },                /* VZEROALL */
	{ "c5 f9 6f c1", { 4, 4, 4 } },
	{ "c5 fd 6f 04 24", { 4, 5, 5 } },
	{ "c5 f9 70 c1 1b", { 5, 5, 5 } },
	{ "c5 f9 c2 c1 00", { 5, 5, 5 } },
	{ "c5 fd 71 d0 04", { 5, 5, 5 } },
	{ "c5 f8 ae 10", { 4, 4, 4 } },             /* VLDMXCSR */
	{ "c4 e2 79 00 c1", { 5, 5, 5 } },          /* VPSHUFB (0F 38) */
	{ "c4 e3 79 0f c1 08", { 6, 6, 6 } },       /* VPALIGNR (0F 3A) */
	{ "c4 e1 f9 7e c0", { 5, 5, 5 } },
	{ "c4 e2 7d 18 05 11 22 33 44", { 5, 9, 9 } },
	{ "c4 e2 78 f2 c1", { 5, 5, 5 } },          /* ANDN */
	{ "c4 e3 fb f0 c0 05", { 6, 6, 6 } },       /* RORX */
	{ "c4 c1 79 c5 c0 01", { 6, 6, 6 } },
	{ "c4 00 11 22", { 2, 2, X } },             /* LES / VEX map 0 */
	{ "c5 78 11 c0", { 3, 3, 4 } },             /* LDS / VMOVUPS xmm0, xmm8 */
	{ "c4 e4 79 00 c0", { X, X, X } },          /* VEX map 4 */
	{ "c4 e1 79 80 c0", { X, X, X } },          /* no Jcc under VEX */
	{ "66 c5 f8 77", { X, X, X } },
	{ "f3 c5 f8 77", { X, X, X } },
	{ "48 c5 f8 77", { 1, 1, X } },             /* REX + VEX */
	/* EVEX (62): like VEX, BOUND outside 64-bit code unless mod == 3. */
	{ "62 f1 7c 48 10 c1", { 6, 6, 6 } },       /* VMOVUPS zmm */
	{ "62 f1 7c 48 10 44 24 01", { 7, 8, 8 } }, /* disp8*N is one byte */
	{ "62 f1 fd 48 6f 05 11 22 33 44", { 6, 10, 10 } },
	{ "62 f3 7d 48 1f c1 01", { 7, 7, 7 } },    /* VPCMPD (0F 3A) */
	{ "62 f2 7d 48 58 c1", { 6, 6, 6 } },
	{ "62 f5 7c 48 58 c1", { 6, 6, 6 } },       /* VADDPH (map 5) */
	{ "62 f6 7d 48 42 c1", { 6, 6, 6 } },       /* map 6 */
	{ "62 f4 7c 48 58 c1", { X, X, X } },       /* map 4 */
	{ "62 f1 7c 48 77 c0", { X, X, X } },       /* no EVEX VZEROUPPER */
	{ "62 f9 7c 48 10 c1", { X, X, X } },       /* P0 bit 3 must be 0 */
	{ "62 f1 78 48 10 c1", { X, X, X } },       /* P1 bit 2 must be 1 */
	{ "62 00 11", { 2, 2, X } },                /* BOUND */
	{ "62 05 11 22 33 44", { 2, 6, X } },
	{ "66 62 f1 7c 48 10 c1", { X, X, X } },
	/* XOP (8F with map >= 8), else POP r/m. */
	{ "8f e8 78 c0 c0 01", { 6, 6, 6 } },       /* VPROTB (map 8: ib) */
	{ "8f e9 78 81 c1", { 5, 5, 5 } },          /* VFRCZPS (map 9) */
	{ "8f ea 78 10 c0 11 22 33 44", { 9, 9, 9 } }, /* BEXTR (map A: id) */
	{ "8f eb 78 10 c0", { X, X, X } },
	{ "8f 00", { 2, 2, 2 } },
	{ "8f 05 11 22 33 44", { 2, 6, 6 } },
	{ "8f c0", { 2, 2, 2 } },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const enum cpu_mode modes[3][2] = {
	{ CPU_MODE_REAL, CPU_MODE_PROT16 }, { CPU_MODE_PROT32, CPU_MODE_PROT32 },
	{ CPU_MODE_LONG64, CPU_MODE_LONG64 },
};

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;
	int used;

	while (n < max && sscanf(s, " %2x%n", &v, &used) == 1) {
		out[n++] = (uint8_t)v;
		s += used;
	}
	return n;
}

/* Decodes from an exactly-sized heap copy: ASan catches any read past avail. */
static int decode(const uint8_t *bytes, size_t avail, enum cpu_mode mode)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	memcpy(copy, bytes, avail);
	int r = insn_length(copy, avail, mode);
	free(copy);
	return r;
}

static void check_row(const struct row *r)
{
	uint8_t b[32];
	size_t n = parse_hex(r->hex, b, sizeof(b));

	for (int m = 0; m < 3; m++) {
		for (int k = 0; k < 2; k++) {
			int got = decode(b, n, modes[m][k]);
			if (got != r->len[m])
				fail_msg("%s in %d-bit code: got %d, want %d", r->hex, 16 << m,
					 got, r->len[m]);
			/* Every truncation of a valid encoding asks for more. */
			for (int a = 0; r->len[m] > 0 && a < r->len[m]; a++)
				if (decode(b, (size_t)a, modes[m][k]) != -EAGAIN)
					fail_msg("%s in %d-bit code cut to %d bytes: got %d",
						 r->hex, 16 << m, a, decode(b, (size_t)a, modes[m][k]));
		}
	}
}

static void test_table(void **state)
{
	for (size_t i = 0; i < NROWS; i++)
		check_row(&rows[i]);
}

/* Encodings with objdump's lengths, recorded by test_insn_len.py. */
struct recorded {
	uint8_t bits;
	uint8_t len;
	const char *hex;
};

static const struct recorded recorded[] = {
#include "test_insn_len.inc"
};

static enum cpu_mode mode_of(unsigned bits)
{
	return bits == 16 ? CPU_MODE_PROT16 : bits == 32 ? CPU_MODE_PROT32 : CPU_MODE_LONG64;
}

static void test_recorded(void **state)
{
	uint8_t b[32];

	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		size_t n = parse_hex(recorded[i].hex, b, sizeof(b));
		int got = decode(b, n, mode_of(recorded[i].bits));
		if (got != recorded[i].len)
			fail_msg("%s in %u-bit code: got %d, objdump says %u", recorded[i].hex,
				 recorded[i].bits, got, recorded[i].len);
	}
}

static void test_edges(void **state)
{
	static const uint8_t cpuid[] = { 0x0f, 0xa2 };

	assert_int_equal(insn_length(NULL, 0, CPU_MODE_LONG64), -EAGAIN);
	assert_int_equal(insn_length(cpuid, 2, (enum cpu_mode)4), -EINVAL);
	assert_int_equal(insn_length(cpuid, 1000, CPU_MODE_LONG64), 2);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random bytes biased toward prefixes and escapes, so that deep paths
 * (VEX, SIB, 15-byte limit) are reached often. */
static void garbage(uint8_t *b, size_t n)
{
	static const uint8_t hot[] = { 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x48, 0x41,
				       0x0f, 0x38, 0x3a, 0xc4, 0xc5, 0x62, 0x8f, 0x04 };
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next();
		b[i] = (r & 0x300) ? (uint8_t)r : hot[(r >> 16) & 15];
	}
}

/*
 * For any input: the result is a length 1..15 not above avail, -EAGAIN or
 * -EINVAL; a length L is found again from exactly L bytes and L - 1 bytes
 * ask for more; -EAGAIN never turns into a length that fitted before.
 */
static void test_garbage(void **state)
{
	uint8_t b[24];

	for (int round = 0; round < 300000; round++) {
		enum cpu_mode mode = (enum cpu_mode)(round & 3);
		size_t avail = next() % 20;
		garbage(b, sizeof(b));
		int r = decode(b, avail, mode);
		if (r > 0) {
			assert_true(r <= 15 && (size_t)r <= avail);
			assert_int_equal(decode(b, (size_t)r, mode), r);
			assert_int_equal(decode(b, (size_t)r - 1, mode), -EAGAIN);
		} else if (r == -EAGAIN) {
			assert_true(avail < 15);
			int more = decode(b, sizeof(b), mode);
			assert_true(more == -EINVAL || (size_t)more > avail);
		} else {
			assert_int_equal(r, -EINVAL);
		}
	}
}

/* Helpers for test_insn_len.py. */
static int print_table(void)
{
	for (size_t i = 0; i < NROWS; i++)
		for (int m = 0; m < 3; m++)
			printf("%d %d %s\n", 16 << m, rows[i].len[m], rows[i].hex);
	return 0;
}

static int print_lengths(void)
{
	char line[256];
	uint8_t b[64];
	unsigned bits;
	int used;

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%u %n", &bits, &used) != 1)
			continue;
		size_t n = parse_hex(line + used, b, sizeof(b));
		printf("%d\n", insn_length(b, n, mode_of(bits)));
	}
	return 0;
}

/* The register of MOV to CR4 (what SVM without decode assists leaves us). */
static void test_mov_cr4(void **state)
{
	static const struct { const char *bytes; unsigned n; enum cpu_mode mode; int gpr; } t[] = {
		{ "\x0f\x22\xe0", 3, CPU_MODE_PROT32, 0 },       /* mov %eax, %cr4 */
		{ "\x0f\x22\xe3", 3, CPU_MODE_LONG64, 3 },       /* mov %rbx, %cr4 */
		{ "\x41\x0f\x22\xe7", 4, CPU_MODE_LONG64, 15 }, /* mov %r15, %cr4 */
		{ "\x66\x2e\x0f\x22\xa1", 5, CPU_MODE_REAL, 1 }, /* prefixes; mod ignored */
		{ "\x41\x0f\x22\xe7", 4, CPU_MODE_PROT32, -1 }, /* 41: INC ECX outside 64-bit */
		{ "\x44\x0f\x22\xe0", 4, CPU_MODE_LONG64, -1 }, /* REX.R: CR12 */
		{ "\x0f\x22\xc0", 3, CPU_MODE_LONG64, -1 },      /* CR0 */
		{ "\x0f\x20\xe0", 3, CPU_MODE_LONG64, -1 },      /* from CR4 */
		{ "\xf0\x0f\x22\xe0", 4, CPU_MODE_PROT32, -1 }, /* LOCK */
		{ "\x0f\x22", 2, CPU_MODE_PROT32, -1 },           /* truncated */
		/* A REX before a legacy prefix is ignored, as by the CPU; the last REX counts. */
		{ "\x41\x66\x0f\x22\xe7", 5, CPU_MODE_LONG64, 7 },
		{ "\x44\x41\x0f\x22\xe7", 5, CPU_MODE_LONG64, 15 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(insn_mov_to_cr4_gpr((const uint8_t *)t[i].bytes, t[i].n, t[i].mode),
				 t[i].gpr);
}

/* The fields insn_decode reports, which the MMIO emulator reads. */
static void test_fields(void **state)
{
	static const struct {
		const char *hex;
		enum cpu_mode mode;
		struct insn want; /* buf, lim and mode not compared */
	} t[] = {
		/* MOV fs:[eax + ecx * 4 + 0x11], r9w (66 67 REX.R): all the parts */
		{ "64 66 67 44 89 4c 88 11", CPU_MODE_LONG64,
		  { .len = 8, .pfx = INSN_66 | INSN_67, .seg = 4, .rex = 0x44, .op = 0x89,
		    .has_modrm = true, .modrm = 0x4c, .sib = 0x88, .disp_at = 7, .disp_size = 1,
		    .imm_at = 8, .osize = 2, .asize = 4 } },
		/* LOCK ADD dword [bp + si + 0x2211], 0x33 (16-bit addressing) */
		{ "f0 2e 26 83 82 11 22 33", CPU_MODE_REAL,
		  { .len = 8, .pfx = INSN_LOCK, .seg = 0, .op = 0x83, .has_modrm = true,
		    .modrm = 0x82, .disp_at = 5, .disp_size = 2, .imm_at = 7, .imm_size = 1,
		    .osize = 2, .asize = 2 } },
		/* REP MOVSD: no ModRM */
		{ "f3 a5", CPU_MODE_PROT32,
		  { .len = 2, .pfx = INSN_F3, .seg = -1, .op = 0xa5, .imm_at = 2, .osize = 4,
		    .asize = 4 } },
		/* MOV rax, moffs64: the address is the immediate */
		{ "48 a1 11 22 33 44 55 66 77 88", CPU_MODE_LONG64,
		  { .len = 10, .seg = -1, .rex = 0x48, .op = 0xa1, .imm_at = 2, .imm_size = 8,
		    .osize = 8, .asize = 8 } },
		/* MOVZX eax, byte [rip + 0x44332211] and BT dword [rax], 5 in the 0F map */
		{ "0f b6 05 11 22 33 44", CPU_MODE_LONG64,
		  { .len = 7, .seg = -1, .op = INSN_MAP_0F | 0xb6, .has_modrm = true, .modrm = 0x05,
		    .disp_at = 3, .disp_size = 4, .imm_at = 7, .osize = 4, .asize = 8 } },
		{ "0f ba 20 05", CPU_MODE_PROT32,
		  { .len = 4, .seg = -1, .op = INSN_MAP_0F | 0xba, .has_modrm = true, .modrm = 0x20,
		    .disp_at = 3, .imm_at = 3, .imm_size = 1, .osize = 4, .asize = 4 } },
		/* 0F 38 and VEX maps are told apart from the 0F map */
		{ "66 0f 38 00 c1", CPU_MODE_PROT32,
		  { .len = 5, .pfx = INSN_66, .seg = -1, .op = INSN_MAP_38 | 0x00,
		    .has_modrm = true, .modrm = 0xc1, .imm_at = 5, .osize = 2, .asize = 4 } },
		{ "c5 f8 b6 00", CPU_MODE_LONG64,
		  { .len = 4, .seg = -1, .op = INSN_VEX | 0x100 | 0xb6, .has_modrm = true,
		    .modrm = 0x00, .disp_at = 4, .imm_at = 4, .osize = 4, .asize = 8 } },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t b[16];
		size_t n = parse_hex(t[i].hex, b, sizeof(b));
		const struct insn *w = &t[i].want;
		struct insn d;
		assert_int_equal(insn_decode(b, n, t[i].mode, &d), w->len);
		if (d.len != w->len || d.pfx != w->pfx || d.seg != w->seg || d.rex != w->rex ||
		    d.op != w->op || d.has_modrm != w->has_modrm || d.modrm != w->modrm ||
		    d.sib != w->sib || d.disp_at != w->disp_at || d.disp_size != w->disp_size ||
		    d.imm_at != w->imm_at || d.imm_size != w->imm_size || d.osize != w->osize ||
		    d.asize != w->asize)
			fail_msg("%s: len %u pfx %#x seg %d rex %#x op %#x modrm %#x sib %#x "
				 "disp %u+%u imm %u+%u osize %u asize %u", t[i].hex, d.len, d.pfx,
				 d.seg, d.rex, d.op, d.modrm, d.sib, d.disp_at, d.disp_size,
				 d.imm_at, d.imm_size, d.osize, d.asize);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_mov_cr4),
		cmocka_unit_test(test_fields),
	};

	if (argc > 1 && !strcmp(argv[1], "--table"))
		return print_table();
	if (argc > 1 && !strcmp(argv[1], "--lengths"))
		return print_lengths();
	return cmocka_run_group_tests_name("insn_len", tests, NULL, NULL);
}
