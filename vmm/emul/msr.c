/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest MSR policy: one table, sorted by index, of the MSRs a guest
 * may touch and how; a few more entries only name MSRs that guests are
 * known to try and that are refused on purpose (for the #GP log line).
 * Architectural rules: Intel SDM vol. 4 and vol. 3 (EFER 2.2.1, PAT
 * 13.12, MTRRs 12.11), AMD APM vol. 2 (EFER 3.1.7, PAT 7.8).
 */
#include <stddef.h>

#include "kernel/errno.h"
#include "vmm/emul/msr.h"

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define CR0_PG   (1ull << 31)

#define APIC_BASE_VALUE 0xfee00800ull /* the xAPIC at 0xFEE00000, enabled (bit 11) */
#define APIC_BASE_BSP   (1ull << 8)

#define REFUSED 0xff /* kind of a name-only entry */
#define NEED_LM 0x01 /* exists only on long-mode capable CPUs */
#define BSP_BIT 0x02 /* constant | APIC_BASE_BSP on the bootstrap processor */
#define NEED_AUX 0x04 /* exists only with RDTSCP */
#define READ_ONLY 0x08 /* CONST: every write is refused */
#define IGNORED 0x10  /* CONST: every write is accepted and dropped */

struct msr_def {
	uint32_t index;
	const char *name;
	uint8_t kind;     /* enum msr_kind or REFUSED */
	uint8_t vstate;   /* enum vstate for MSR_VSTATE */
	uint8_t flags;
	/* Write check: 0 or -EPERM. NULL: any value (VSTATE, TSC), or for
	 * CONST the constant itself unless READ_ONLY or IGNORED says
	 * otherwise. For CONST a passing value is ignored. */
	int (*check)(uint64_t value, const struct msr_guest *g);
	uint64_t value;   /* MSR_CONST */
	uint16_t count;   /* MSRs from index on with this rule; 0 means 1 */
};

/* Any canonical address: sign-extended from bit 47. */
static int any_canonical(uint64_t v, const struct msr_guest *g)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v ? 0 : -EPERM;
}

/* Bits 63:32 are reserved (SYSENTER_CS, SFMASK). */
static int low32(uint64_t v, const struct msr_guest *g)
{
	return v >> 32 ? -EPERM : 0;
}

/*
 * EFER: only SCE, LME (long mode capable), NXE (NX capable) and LMA may be
 * set. LMA is the CPU's status, read-only: a write must leave it as it is.
 * LME may not change while paging is on (CR0.PG = 1).
 */
static int efer_ok(uint64_t v, const struct msr_guest *g)
{
	uint64_t allowed = EFER_SCE | EFER_LMA;

	if (g->long_mode_capable)
		allowed |= EFER_LME;
	if (g->nx_capable)
		allowed |= EFER_NXE;
	return (v & ~allowed) || ((v ^ g->efer) & EFER_LMA) ||
	       (((v ^ g->efer) & EFER_LME) && (g->cr0 & CR0_PG)) ? -EPERM : 0;
}

/*
 * PAT: eight byte-wide entries, each a memory type 0 (UC), 1 (WC),
 * 4 (WT), 5 (WP), 6 (WB) or 7 (UC-). Bits 7:3 of each byte must be 0, and
 * the types 2 and 3 are reserved: those are the bytes with bit 1 set and
 * bit 2 clear.
 */
static int pat_ok(uint64_t v, const struct msr_guest *g)
{
	const uint64_t ones = 0x0101010101010101ull;

	return (v & (0xf8 * ones)) || ((v >> 1) & ~(v >> 2) & ones) ? -EPERM : 0;
}

/*
 * IA32_MTRR_DEF_TYPE: type (bits 7:0) UC, WC, WT, WP or WB; FE (bit 10)
 * must stay 0, there are no fixed-range MTRRs (MTRRCAP.FIX = 0); E (bit
 * 11) either; the rest is reserved. A valid write is ignored: MTRRs do not
 * affect guest memory types under nested paging, and Linux rewrites this
 * MSR (E cleared, then restored) around its cache-control sequence.
 */
static int mtrr_def_type_ok(uint64_t v, const struct msr_guest *g)
{
	uint64_t type = v & 0xff;

	return !(v & ~0x8ffull) && (type <= 1 || (type >= 4 && type <= 6)) ? 0 : -EPERM;
}

#define VSTATE(i, n, vs, fl, chk) { i, n, MSR_VSTATE, vs, fl, chk, 0, 0 }
#define CONST(i, n, fl, chk, val) { i, n, MSR_CONST, VS_COUNT, fl, chk, val, 0 }
#define NAME(i, n) { i, n, REFUSED, VS_COUNT, 0, NULL, 0, 0 }
#define NAMES(i, n, cnt) { i, n, REFUSED, VS_COUNT, 0, NULL, 0, cnt }
/* No PMU (CPUID leaf 0xA and AMD's PerfCtrExtCore say none): counters and
 * their controls read 0 and ignore writes, as a CPU whose counters are
 * all taken by the host would look; guests probe them unconditionally. */
#define NO_PMU(i, n, cnt) { i, n, MSR_CONST, VS_COUNT, IGNORED, NULL, 0, cnt }

/* Sorted by index (binary search). */
static const struct msr_def msrs[] = {
	{ 0x10, "IA32_TIME_STAMP_COUNTER", MSR_TSC, VS_COUNT, 0, NULL, 0, 0 },
	/* Read by Intel microcode loaders: platform 0. */
	CONST(0x17, "IA32_PLATFORM_ID", READ_ONLY, NULL, 0),
	/* No virtual LAPIC relocation: only the reset value may be written. */
	CONST(0x1b, "IA32_APIC_BASE", BSP_BIT, NULL, APIC_BASE_VALUE),
	/* Locked with VMX off: Linux then neither writes it nor uses VMX. */
	CONST(0x3a, "IA32_FEATURE_CONTROL", READ_ONLY, NULL, 1),
	NAME(0x3b, "IA32_TSC_ADJUST"),
	NAME(0x48, "IA32_SPEC_CTRL"),
	NAME(0x49, "IA32_PRED_CMD"),
	/* Microcode revision 0; writing 0 (Intel's way to ask) is accepted. */
	CONST(0x8b, "IA32_BIOS_SIGN_ID", 0, NULL, 0),
	NAME(0xe7, "IA32_MPERF"),
	NAME(0xe8, "IA32_APERF"),
	/* No variable or fixed MTRRs, no WC type. */
	CONST(0xfe, "IA32_MTRRCAP", READ_ONLY, NULL, 0),
	NAME(0x10a, "IA32_ARCH_CAPABILITIES"),
	VSTATE(0x174, "IA32_SYSENTER_CS", VS_SYSENTER_CS, 0, low32),
	VSTATE(0x175, "IA32_SYSENTER_ESP", VS_SYSENTER_ESP, 0, any_canonical),
	VSTATE(0x176, "IA32_SYSENTER_EIP", VS_SYSENTER_EIP, 0, any_canonical),
	NAME(0x179, "IA32_MCG_CAP"),
	NAME(0x17a, "IA32_MCG_STATUS"),
	/* Fast strings (bit 0) on; BTS (11) and PEBS (12) unavailable. */
	CONST(0x1a0, "IA32_MISC_ENABLE", 0, NULL, 0x1801),
	/* No LBR, BTF or BTS: reads 0, and only 0 may be written (as Xen). */
	CONST(0x1d9, "IA32_DEBUGCTL", 0, NULL, 0),
	NAMES(0x200, "MTRR range", 0x70),
	VSTATE(0x277, "IA32_PAT", VS_PAT, 0, pat_ok),
	/* MTRRs enabled (E, bit 11), default type WB (6). */
	CONST(0x2ff, "IA32_MTRR_DEF_TYPE", 0, mtrr_def_type_ok, 0x806),
	NAMES(0x400, "IA32_MCi bank", 0x80),
	NAME(0x6e0, "IA32_TSC_DEADLINE"),
	NAMES(0x800, "x2APIC", 0x100),
	NAME(0xda0, "IA32_XSS"),
	VSTATE(0xc0000080, "IA32_EFER", VS_EFER, 0, efer_ok),
	VSTATE(0xc0000081, "STAR", VS_STAR, 0, NULL),
	VSTATE(0xc0000082, "LSTAR", VS_LSTAR, NEED_LM, any_canonical),
	VSTATE(0xc0000083, "CSTAR", VS_CSTAR, NEED_LM, any_canonical),
	VSTATE(0xc0000084, "SFMASK", VS_SFMASK, NEED_LM, low32),
	VSTATE(0xc0000100, "FS_BASE", VS_FS_BASE, NEED_LM, any_canonical),
	VSTATE(0xc0000101, "GS_BASE", VS_GS_BASE, NEED_LM, any_canonical),
	VSTATE(0xc0000102, "KERNEL_GS_BASE", VS_KERNEL_GS_BASE, NEED_LM, any_canonical),
	{ 0xc0000103, "TSC_AUX", MSR_AUX, VS_COUNT, NEED_AUX, low32, 0, 0 },
	NO_PMU(0xc0010000, "AMD_PERF_CTL0-3, PERF_CTR0-3", 8),
	NAME(0xc0010010, "AMD_SYSCFG"),
	NAME(0xc0010015, "AMD_HWCR"),
	/* Northbridge config: Linux sets EnableCf8ExtCfg (bit 46) with an
	 * unchecked WRMSR on family 10h+; there is no extended config space
	 * (no MCFG), so the write is accepted and dropped. Reads 0. */
	CONST(0xc001001f, "AMD_NB_CFG", IGNORED, NULL, 0),
	NAME(0xc0010114, "AMD_VM_CR"),
	NAME(0xc0010117, "AMD_VM_HSAVE_PA"),
	NO_PMU(0xc0010200, "AMD_PERF_CTL0-5, PERF_CTR0-5", 12),
};

static const struct msr_def *lookup(uint32_t index)
{
	size_t lo = 0, hi = sizeof(msrs) / sizeof(msrs[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (index - msrs[mid].index < (msrs[mid].count ? msrs[mid].count : 1u))
			return &msrs[mid];
		if (msrs[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int msr_decide(uint32_t index, bool write, uint64_t value, const struct msr_guest *g,
	       struct msr_action *act)
{
	const struct msr_def *d = lookup(index);

	if (!d || d->kind == REFUSED)
		return -EPERM;
	if (((d->flags & NEED_LM) && !g->long_mode_capable) ||
	    ((d->flags & NEED_AUX) && !g->tsc_aux_capable))
		return -EPERM;
	act->kind = (enum msr_kind)d->kind;
	act->vstate = (enum vstate)d->vstate;
	act->value = d->value | ((d->flags & BSP_BIT) && g->bsp ? APIC_BASE_BSP : 0);
	if (!write)
		return 0;
	if ((d->check && d->check(value, g)) || (d->flags & READ_ONLY))
		return -EPERM;
	if (d->kind == MSR_CONST)
		return d->check || (d->flags & IGNORED) || value == act->value ? 0 : -EPERM;
	act->value = value;
	return 0;
}

const char *msr_name(uint32_t index)
{
	const struct msr_def *d = lookup(index);

	return d ? d->name : "unknown";
}
