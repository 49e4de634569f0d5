/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsave: the extended state a guest is offered (issue 15): XSAVE, AVX,
 * AVX2 and, where the CPU has it, AVX-512. Checks CPUID leaves 1, 7 and
 * 0xD, XGETBV/XSETBV (#UD before CR4.OSXSAVE, #GP for every XCR0 the
 * rules or the offer refuse and at CPL 3, the value read back), that AVX and AVX2
 * compute on ymm registers (AVX-512 on zmm), that the XCR0 in the CPU is
 * the guest's own (AVX #UD under XCR0 = x87|SSE), its own XSAVE/XRSTOR
 * round trip and an XRSTOR of a bad header faulting in the guest. Then it fills
 * ymm0-7 (zmm0-7) with values from its domain id and yields ROUNDS times:
 * run as two domains, each switch to the other saves and restores the
 * vector state, and each checks its registers after every round.
 *
 * The runtime is built without SSE (-mgeneral-regs-only): the compiler
 * never touches a vector register, so the inline assembly below owns
 * them all and needs no clobbers. 32-bit protected mode: 8 registers.
 */
#include "runtime.h"
#include "x86.h"

const char guest_name[] = "xsave";

#define ROUNDS 200
#define CR4_OSXSAVE (1u << 18)
#define XCR0_AVX512 0xe0u

static uint64_t xgetbv0(void)
{
	uint64_t v = 0;

	xgetbv_safe(0, &v);
	return v;
}

/* out = a + b, eight 32-bit lanes (AVX2 VPADDD on ymm); the vector. */
static int vpaddd_safe(const uint32_t *a, const uint32_t *b, uint32_t *out)
{
	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "vmovdqu (%[a]), %%ymm0\n\t"
			 "vmovdqu (%[b]), %%ymm1\n\t"
			 "vpaddd %%ymm1, %%ymm0, %%ymm2\n\t"
			 "vmovdqu %%ymm2, (%[o])\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup) : [a] "r"(a), [b] "r"(b), [o] "r"(out) : "memory");
	return fault_vector;
}

/* out = a * b + c, eight floats (AVX VMULPS + VADDPS on ymm). */
static void vmuladd(const uint32_t *a, const uint32_t *b, const uint32_t *c, uint32_t *out)
{
	__asm__ volatile("vmovups (%0), %%ymm3\n\t"
			 "vmulps (%1), %%ymm3, %%ymm3\n\t"
			 "vaddps (%2), %%ymm3, %%ymm3\n\t"
			 "vmovups %%ymm3, (%3)"
			 : : "r"(a), "r"(b), "r"(c), "r"(out) : "memory");
}

/* out = a + b, sixteen lanes (AVX-512F VPADDD on zmm, under mask k1 =
 * all but lane 0, which keeps b's value). */
static void vpaddd512(const uint32_t *a, const uint32_t *b, uint32_t *out)
{
	__asm__ volatile("movl $0xfffe, %%eax\n\t"
			 "kmovw %%eax, %%k1\n\t"
			 "vmovdqu32 (%0), %%zmm0\n\t"
			 "vmovdqu32 (%1), %%zmm1\n\t"
			 "vpaddd %%zmm0, %%zmm1, %%zmm1%{%%k1%}\n\t"
			 "vmovdqu32 %%zmm1, (%2)"
			 : : "r"(a), "r"(b), "r"(out) : "memory", "eax");
}

/* All eight vector registers from / to 8 * width bytes (width 32: ymm,
 * 64: zmm). */
static void vregs_load(const uint32_t *src, unsigned width)
{
	if (width == 64)
		__asm__ volatile("vmovdqu32 0(%0), %%zmm0\n\tvmovdqu32 64(%0), %%zmm1\n\t"
				 "vmovdqu32 128(%0), %%zmm2\n\tvmovdqu32 192(%0), %%zmm3\n\t"
				 "vmovdqu32 256(%0), %%zmm4\n\tvmovdqu32 320(%0), %%zmm5\n\t"
				 "vmovdqu32 384(%0), %%zmm6\n\tvmovdqu32 448(%0), %%zmm7"
				 : : "r"(src) : "memory");
	else
		__asm__ volatile("vmovdqu 0(%0), %%ymm0\n\tvmovdqu 32(%0), %%ymm1\n\t"
				 "vmovdqu 64(%0), %%ymm2\n\tvmovdqu 96(%0), %%ymm3\n\t"
				 "vmovdqu 128(%0), %%ymm4\n\tvmovdqu 160(%0), %%ymm5\n\t"
				 "vmovdqu 192(%0), %%ymm6\n\tvmovdqu 224(%0), %%ymm7"
				 : : "r"(src) : "memory");
}

static void vregs_store(uint32_t *dst, unsigned width)
{
	if (width == 64)
		__asm__ volatile("vmovdqu32 %%zmm0, 0(%0)\n\tvmovdqu32 %%zmm1, 64(%0)\n\t"
				 "vmovdqu32 %%zmm2, 128(%0)\n\tvmovdqu32 %%zmm3, 192(%0)\n\t"
				 "vmovdqu32 %%zmm4, 256(%0)\n\tvmovdqu32 %%zmm5, 320(%0)\n\t"
				 "vmovdqu32 %%zmm6, 384(%0)\n\tvmovdqu32 %%zmm7, 448(%0)"
				 : : "r"(dst) : "memory");
	else
		__asm__ volatile("vmovdqu %%ymm0, 0(%0)\n\tvmovdqu %%ymm1, 32(%0)\n\t"
				 "vmovdqu %%ymm2, 64(%0)\n\tvmovdqu %%ymm3, 96(%0)\n\t"
				 "vmovdqu %%ymm4, 128(%0)\n\tvmovdqu %%ymm5, 160(%0)\n\t"
				 "vmovdqu %%ymm6, 192(%0)\n\tvmovdqu %%ymm7, 224(%0)"
				 : : "r"(dst) : "memory");
}

static void xsave_to(void *area, uint64_t mask)
{
	__asm__ volatile("xsave (%0)" : : "r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32)) : "memory");
}

static int xrstor_safe(const void *area, uint64_t mask)
{
	fault_vector = -1;
	__asm__ volatile("movl $1f, %[fx]\n\t"
			 "xrstor (%[p])\n"
			 "1:\tmovl $0, %[fx]"
			 : [fx] "=m"(fault_fixup)
			 : [p] "r"(area), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32))
			 : "memory");
	return fault_vector;
}

/*
 * XSETBV at CPL 3. A GDT of our own: the runtime's three entries, ring-3
 * code (0x1b) and data (0x23), a call gate back to ring 0 (0x2b) and a TSS
 * (0x30) whose ring-0 stack takes the #GP. user_xsetbv() IRETs to ring 3,
 * runs XSETBV with the fault fixup armed (the CPU, or the hypervisor where
 * the emulator exits before its own CPL check, must raise #GP), then comes
 * back through the call gate and returns.
 */
static uint64_t gdt3[7] __attribute__((aligned(8)));
static uint32_t tss[26] __attribute__((aligned(8)));
static uint8_t ring0_stack[2048] __attribute__((aligned(16)));
uint32_t ring0_esp;
void user_xsetbv(void);
void user_back(void);
__asm__(".text\n"
	"user_xsetbv:\n\t"
	"pushal\n\t"
	"movl %esp, ring0_esp\n\t"
	"movl %esp, %eax\n\t"
	"pushl $0x23\n\t"          /* SS */
	"pushl %eax\n\t"           /* ESP: the same stack, below what pushal saved */
	"pushfl\n\t"
	"pushl $0x1b\n\t"          /* CS */
	"pushl $1f\n\t"
	"iret\n"
	"1:\tmovl $0x23, %eax\n\t"
	"movl %eax, %ds\n\t"
	"movl %eax, %es\n\t"
	"movl $2f, fault_fixup\n\t"
	"xorl %ecx, %ecx\n\t"
	"xorl %edx, %edx\n\t"
	"movl $7, %eax\n\t"
	"xsetbv\n"
	"2:\tmovl $0, fault_fixup\n\t"
	"lcall $0x2b, $0\n"
	"user_back:\n\t"
	"movl $0x10, %eax\n\t"
	"movl %eax, %ds\n\t"
	"movl %eax, %es\n\t"
	"movl %eax, %ss\n\t"
	"movl ring0_esp, %esp\n\t"
	"popal\n\t"
	"ret\n");

extern const uint64_t gdt[3];

static uint64_t desc(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (limit & 0xffffull) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(flags & 0xf) << 52 |
	       (uint64_t)(base >> 24) << 56;
}

static void check_cpl3(void)
{
	uint32_t back = (uint32_t)(uintptr_t)user_back;
	struct __attribute__((packed)) { uint16_t limit; uint32_t base; } d = {
		sizeof(gdt3) - 1, (uint32_t)(uintptr_t)gdt3 };

	memcpy(gdt3, gdt, sizeof(gdt));
	gdt3[3] = desc(0, 0xfffff, 0xfa, 0xc);   /* ring-3 code, 32-bit, 4 GiB */
	gdt3[4] = desc(0, 0xfffff, 0xf2, 0xc);   /* ring-3 data */
	/* 32-bit call gate, DPL 3, to 0x08:user_back. */
	gdt3[5] = (back & 0xffff) | 0x08ull << 16 | 0xecull << 40 | (uint64_t)(back >> 16) << 48;
	gdt3[6] = desc((uint32_t)(uintptr_t)tss, sizeof(tss) - 1, 0x89, 0);
	tss[1] = (uint32_t)(uintptr_t)(ring0_stack + sizeof(ring0_stack)); /* ESP0 */
	tss[2] = 0x10;                                                     /* SS0 */
	tss[25] = sizeof(tss) << 16;  /* no I/O bitmap */
	__asm__ volatile("lgdt %0\n\tmovw $0x30, %%ax\n\tltr %%ax" : : "m"(d) : "eax", "memory");
	uint64_t before = xgetbv0();
	fault_vector = -1;
	cli();
	user_xsetbv();
	int vec = fault_vector;
	sti();
	check("xsetbv-cpl3", vec == VEC_GP && xgetbv0() == before,
	      "XSETBV at CPL 3: vector %d, XCR0 0x%llx", vec, (unsigned long long)xgetbv0());
}

static uint32_t va[16], vb[16], vc[16], vo[16];
static uint32_t regs_in[8 * 16], regs_out[8 * 16];
static uint8_t area[4096] __attribute__((aligned(64)));
static uint8_t junk[4096] __attribute__((aligned(64)));

/* The domain id (Xen's leaf 0x40000004 ECX for a PVH domain), else 0. */
static uint32_t domid(void)
{
	uint32_t r[4];

	cpuid(0x40000000, 0, r);
	if (r[0] < 0x40000004 || r[1] != 0x566e6558) /* "XenV" */
		return 0;
	cpuid(0x40000004, 0, r);
	return r[2];
}

/* Single-precision bit patterns (no floating point in this C): 1 .. 8,
 * and 2 * n + 0.5 for each. */
static const uint32_t f_n[8] = { 0x3f800000, 0x40000000, 0x40400000, 0x40800000,
				 0x40a00000, 0x40c00000, 0x40e00000, 0x41000000 };
static const uint32_t f_2n_half[8] = { 0x40200000, 0x40900000, 0x40d00000, 0x41080000,
				       0x41280000, 0x41480000, 0x41680000, 0x41840000 };
#define F_2    0x40000000u
#define F_HALF 0x3f000000u

/* The offer: XSAVE, AVX, FMA, F16C in leaf 1, AVX2, BMI1, BMI2 in leaf 7,
 * OSXSAVE mirroring CR4; leaf 0xD's components and sizes. Returns the
 * offered XCR0 components (0 when XSAVE or AVX is missing). */
static uint64_t check_cpuid(void)
{
	uint32_t c1[4], c7[4], d0[4], d1[4], d2[4];

	cpuid(1, 0, c1);
	cpuid(7, 0, c7);
	cpuid(0xd, 0, d0);
	cpuid(0xd, 1, d1);
	cpuid(0xd, 2, d2);
	bool xsave = c1[2] & (1u << 26), avx = c1[2] & (1u << 28), avx2 = c7[1] & (1u << 5);
	gprintf("xsave: leaf 1 ECX 0x%x, leaf 7 EBX 0x%x ECX 0x%x, 0xD.0 %x %x %x %x, "
		"0xD.1 EAX 0x%x\n", c1[2], c7[1], c7[2], d0[0], d0[1], d0[2], d0[3], d1[0]);
	check("cpuid-features", xsave && avx && avx2 && !(c1[2] & (1u << 27)),
	      "XSAVE %d, AVX %d, AVX2 %d, FMA %d, F16C %d, BMI1 %d, BMI2 %d; OSXSAVE %d before CR4",
	      xsave, avx, avx2, !!(c1[2] & (1u << 12)), !!(c1[2] & (1u << 29)),
	      !!(c7[1] & (1u << 3)), !!(c7[1] & (1u << 8)), !!(c1[2] & (1u << 27)));
	uint64_t offered = d0[0] | (uint64_t)d0[3] << 32;
	bool avx512 = (offered & XCR0_AVX512) == XCR0_AVX512;
	check("cpuid-0xd", (offered & 7) == 7 && !(offered & ~0xe7ull) && !(d1[0] & (1u << 3)) &&
				   d2[0] == 256 && d2[1] == 576 && d0[1] == 576 &&
				   d0[2] >= 832 && d0[2] <= sizeof(area) &&
				   avx512 == !!(c7[1] & (1u << 16)),
	      "components 0x%llx (AVX-512 %s), size %u for XCR0 = 1, %u for all; AVX at %u, "
	      "%u bytes; XSAVES hidden", (unsigned long long)offered, avx512 ? "offered" : "not offered",
	      d0[1], d0[2], d2[1], d2[0]);
	return xsave && avx ? offered : 0;
}

static void check_xcr0(uint64_t offered)
{
	uint64_t v = 0;
	int g = xgetbv_safe(0, &v), s = xsetbv_safe(0, 3);
	check("xcr-ud", g == VEC_UD && s == VEC_UD,
	      "without CR4.OSXSAVE: XGETBV vector %d, XSETBV vector %d", g, s);
	uint32_t cr4 = (uint32_t)read_cr4(), c1[4];
	int w = write_cr4_safe(cr4 | CR4_OSXSAVE);
	cpuid(1, 0, c1);
	check("osxsave", w < 0 && (read_cr4() & CR4_OSXSAVE) && (c1[2] & (1u << 27)) &&
				 xgetbv0() == 1,
	      "CR4.OSXSAVE set (vector %d), mirrored in leaf 1 ECX, XCR0 0x%llx after reset", w,
	      (unsigned long long)xgetbv0());

	static const struct { uint32_t ecx; uint64_t val; const char *why; } bad[] = {
		{ 0, 0, "x87 clear" }, { 0, 2, "SSE only" }, { 0, 5, "AVX without SSE" },
		{ 0, 1u << 9 | 3, "PKRU" }, { 0, 0x18 | 3, "MPX" }, { 0, 1ull << 62 | 3, "bit 62" },
		{ 0, 0x20 | 7, "opmask alone" }, { 0, 0xe3, "AVX-512 without AVX" },
		{ 1, 1, "ECX = 1" }, { 2, 3, "ECX = 2" },
	};
	bool ok = true;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int vec = xsetbv_safe(bad[i].ecx, bad[i].val);
		if (vec != VEC_GP || xgetbv0() != 1) {
			fail("xsetbv-gp", "%s (ECX %u, 0x%llx): vector %d, XCR0 now 0x%llx", bad[i].why,
			     bad[i].ecx, (unsigned long long)bad[i].val, vec,
			     (unsigned long long)xgetbv0());
			ok = false;
		}
	}
	check("xsetbv-gp", ok, "%u refused values: #GP, XCR0 unchanged",
	      (unsigned)(sizeof(bad) / sizeof(bad[0])));
	check_cpl3();
	int a = xsetbv_safe(0, 3), b = xsetbv_safe(0, 7);
	uint32_t d0[4];
	cpuid(0xd, 0, d0);
	check("xsetbv", a < 0 && b < 0 && xgetbv0() == 7 && d0[1] == 832,
	      "x87|SSE then |AVX taken (vectors %d %d), read back 0x%llx, leaf 0xD.0 EBX %u", a, b,
	      (unsigned long long)xgetbv0(), d0[1]);
	if ((offered & XCR0_AVX512) == XCR0_AVX512) {
		int c = xsetbv_safe(0, offered);
		cpuid(0xd, 0, d0);
		check("xsetbv-avx512", c < 0 && xgetbv0() == offered && d0[1] == d0[2],
		      "all of 0x%llx (vector %d), leaf 0xD.0 EBX %u = ECX %u",
		      (unsigned long long)offered, c, d0[1], d0[2]);
	}
}

static void check_compute(uint64_t xcr0)
{
	for (unsigned i = 0; i < 16; i++) {
		va[i] = 0x01010101u * (i + 1);
		vb[i] = 0x10000000u + i * 0x1111u;
	}
	int vec = vpaddd_safe(va, vb, vo);
	bool ok = vec < 0;
	for (unsigned i = 0; i < 8; i++)
		ok = ok && vo[i] == va[i] + vb[i];
	check("avx2", ok, "VPADDD ymm: vector %d, lanes 0x%x .. 0x%x", vec, vo[0], vo[7]);
	for (unsigned i = 0; i < 8; i++) {
		va[i] = f_n[i];
		vb[i] = F_2;
		vc[i] = F_HALF;
	}
	vmuladd(va, vb, vc, vo);
	ok = true;
	for (unsigned i = 0; i < 8; i++)
		ok = ok && vo[i] == f_2n_half[i];
	check("avx", ok, "VMULPS+VADDPS ymm: lane 7 0x%x", vo[7]);
	if (xcr0 & XCR0_AVX512) {
		for (unsigned i = 0; i < 16; i++) {
			va[i] = i * 3;
			vb[i] = 100 + i;
		}
		vpaddd512(va, vb, vo);
		ok = vo[0] == 100;
		for (unsigned i = 1; i < 16; i++)
			ok = ok && vo[i] == 100 + 4 * i;
		check("avx512", ok, "VPADDD zmm under k1: lanes %u %u %u", vo[0], vo[1], vo[15]);
	}
	/* The CPU runs the guest's XCR0, not the hypervisor's: without AVX
	 * in it, VEX.256 instructions are undefined. */
	xsetbv_safe(0, 3);
	int ud = vpaddd_safe(va, vb, vo);
	xsetbv_safe(0, xcr0);
	check("xcr0-own", ud == VEC_UD && xgetbv0() == xcr0,
	      "VPADDD under XCR0 = 3: vector %d; XCR0 back to 0x%llx", ud,
	      (unsigned long long)xgetbv0());
}

/* The guest's own XSAVE/XRSTOR: registers saved, clobbered, restored; an
 * XRSTOR of a header with reserved bits set or a component XCR0 lacks
 * is #GP in the guest, which carries on. */
static void check_xsave(uint64_t xcr0, unsigned width)
{
	for (unsigned i = 0; i < 8 * width / 4; i++)
		regs_in[i] = 0xc0de0000u + i * 7;
	vregs_load(regs_in, width);
	xsave_to(area, xcr0);
	uint64_t bv;
	memcpy(&bv, area + 512, 8);
	memset(regs_out, 0, sizeof(regs_out));
	vregs_load(regs_out, width);
	int vec = xrstor_safe(area, xcr0);
	vregs_store(regs_out, width);
	check("xsave-roundtrip", vec < 0 && (bv & 4) && !memcmp(regs_in, regs_out, 8 * width),
	      "XSAVE (XSTATE_BV 0x%llx), clobber, XRSTOR (vector %d): %u registers of %u bytes",
	      (unsigned long long)bv, vec, 8, width);
	memcpy(junk, area, sizeof(junk));
	junk[512 + 8] = 1; /* XCOMP_BV: must be 0 in the standard form */
	int g1 = xrstor_safe(junk, xcr0);
	memcpy(junk, area, sizeof(junk));
	junk[512 + 1] = 0x02; /* XSTATE_BV bit 9 (PKRU): not in XCR0 */
	int g2 = xrstor_safe(junk, xcr0);
	vregs_store(regs_out, width);
	check("xrstor-garbage", g1 == VEC_GP && g2 == VEC_GP && !memcmp(regs_in, regs_out, 8 * width),
	      "XCOMP_BV set, XSTATE_BV beyond XCR0: vectors %d %d, registers unchanged", g1, g2);
}

/* Values in all eight registers, ROUNDS yields to the other domains, each
 * followed by a check of every byte. */
static void check_switches(uint64_t xcr0, unsigned width, uint32_t id)
{
	unsigned bad_round = 0;

	for (unsigned i = 0; i < 8 * width / 4; i++)
		regs_in[i] = (id << 24) ^ (i * 0x9e3779b1u);
	vregs_load(regs_in, width);
	for (unsigned r = 1; r <= ROUNDS && !bad_round; r++) {
		hc_sched_op(SCHEDOP_yield, 0);
		vregs_store(regs_out, width);
		if (memcmp(regs_in, regs_out, 8 * width) || xgetbv0() != xcr0)
			bad_round = r;
	}
	check("switches", !bad_round,
	      "%u-byte registers and XCR0 0x%llx kept over %u yields (bad at round %u)", width,
	      (unsigned long long)xcr0, ROUNDS, bad_round);
}

void guest_main(void)
{
	uint32_t id = domid();
	uint64_t offered = check_cpuid();

	if (!offered)
		return;
	check_xcr0(offered);
	/* Two instances: an odd domain id keeps XCR0 at x87|SSE|AVX, an even
	 * one enables all it is offered, so switches change XCR0 too. */
	uint64_t xcr0 = (id & 1) || (offered & XCR0_AVX512) != XCR0_AVX512 ? 7 : offered;
	unsigned width = xcr0 & XCR0_AVX512 ? 64 : 32;
	xsetbv_safe(0, xcr0);
	gprintf("xsave: domain %u runs with XCR0 0x%llx\n", id, (unsigned long long)xcr0);
	check_compute(xcr0);
	check_xsave(xcr0, width);
	check_switches(xcr0, width, id);
}
