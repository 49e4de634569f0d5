/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest registers in the VMCB: the neutral enum vstate and segment ids
 * mapped to save-area fields, the x86 reset state, and the dump. Every
 * write clears the clean bit of its field group so that the CPU reloads
 * it (VMCB clean bits, APM 15.15.3). FS, GS, TR, LDTR, KernelGSBase and
 * the syscall MSRs have no clean bit: VMLOAD reads them at every entry.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/cpu.h"
#include "kernel/log.h"

#define RESET_PAT 0x0007040600070406ull

static void set_seg_fields(struct vmcb_seg *s, uint16_t sel, uint16_t attr, uint32_t limit,
			   uint64_t base)
{
	s->sel = sel;
	s->attr = attr;
	s->limit = limit;
	s->base = base;
}

/*
 * The state after RESET (AMD APM vol. 2, 14.1.3): real mode at
 * F000:FFF0 with CS based at FFFF0000, caches off, paging off. VMRUN
 * accepts it as it is; EFER.SVME must be 1 in any guest's VMCB, and is
 * hidden from get(VS_EFER).
 */
void svm_reset_state(struct vmcb *vmcb)
{
	struct vmcb_save *s = &vmcb->save;

	set_seg_fields(&s->cs, 0xf000, SEG_ATTR_CODE16, 0xffff, 0xffff0000);
	set_seg_fields(&s->ds, 0, SEG_ATTR_DATA16, 0xffff, 0);
	set_seg_fields(&s->es, 0, SEG_ATTR_DATA16, 0xffff, 0);
	set_seg_fields(&s->ss, 0, SEG_ATTR_DATA16, 0xffff, 0);
	set_seg_fields(&s->fs, 0, SEG_ATTR_DATA16, 0xffff, 0);
	set_seg_fields(&s->gs, 0, SEG_ATTR_DATA16, 0xffff, 0);
	set_seg_fields(&s->gdtr, 0, 0, 0xffff, 0);
	set_seg_fields(&s->idtr, 0, 0, 0xffff, 0);
	set_seg_fields(&s->ldtr, 0, SEG_ATTR_LDT, 0xffff, 0);
	set_seg_fields(&s->tr, 0, SEG_ATTR_TSS32_BUSY, 0xffff, 0);
	s->cpl = 0;
	s->efer = EFER_SVME;
	s->cr0 = 0x60000010; /* CD, NW, ET */
	s->cr2 = s->cr3 = s->cr4 = 0;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = 0x2;
	s->rip = 0xfff0;
	s->rsp = s->rax = 0;
	s->g_pat = RESET_PAT;
	vmcb->ctl.int_state = 0;
	vmcb->ctl.event_inj = 0;
	vmcb->ctl.clean = 0;
}

/* The register behind each enum vstate, with its clean bit (0: none). */
static uint64_t *state_field(struct vmcb *vmcb, enum vstate s, uint32_t *clean)
{
	struct vmcb_save *v = &vmcb->save;

	*clean = 0;
	switch (s) {
	case VS_RIP: return &v->rip;
	case VS_RFLAGS: return &v->rflags;
	case VS_CR0: *clean = VMCB_CLEAN_CRX; return &v->cr0;
	case VS_CR2: *clean = VMCB_CLEAN_CR2; return &v->cr2;
	case VS_CR3: *clean = VMCB_CLEAN_CRX; return &v->cr3;
	case VS_CR4: *clean = VMCB_CLEAN_CRX; return &v->cr4;
	case VS_EFER: *clean = VMCB_CLEAN_CRX; return &v->efer;
	case VS_DR7: *clean = VMCB_CLEAN_DRX; return &v->dr7;
	case VS_PAT: *clean = VMCB_CLEAN_NP; return &v->g_pat;
	case VS_FS_BASE: return &v->fs.base;
	case VS_GS_BASE: return &v->gs.base;
	case VS_KERNEL_GS_BASE: return &v->kernel_gs_base;
	case VS_STAR: return &v->star;
	case VS_LSTAR: return &v->lstar;
	case VS_CSTAR: return &v->cstar;
	case VS_SFMASK: return &v->sfmask;
	case VS_SYSENTER_CS: return &v->sysenter_cs;
	case VS_SYSENTER_ESP: return &v->sysenter_esp;
	case VS_SYSENTER_EIP: return &v->sysenter_eip;
	case VS_TSC_OFFSET: *clean = VMCB_CLEAN_INTERCEPTS; return &vmcb->ctl.tsc_offset;
	case VS_INTR_SHADOW: return &vmcb->ctl.int_state;
	default: return NULL;
	}
}

uint64_t svm_get(struct vcpu *v, enum vstate s)
{
	struct vmcb *vmcb = vmcb_of(v);
	uint32_t clean;
	const uint64_t *f = state_field(vmcb, s, &clean);

	if (!f)
		return 0;
	if (s == VS_EFER)
		return *f & ~(uint64_t)EFER_SVME;
	if (s == VS_INTR_SHADOW)
		return *f & INT_STATE_SHADOW;
	return *f;
}

void svm_set(struct vcpu *v, enum vstate s, uint64_t value)
{
	struct vmcb *vmcb = vmcb_of(v);
	uint32_t clean;
	uint64_t *f = state_field(vmcb, s, &clean);

	if (!f)
		return;
	if (s == VS_EFER)
		value |= EFER_SVME; /* VMRUN refuses a guest without it */
	else if (s == VS_INTR_SHADOW)
		value = (*f & ~(uint64_t)INT_STATE_SHADOW) | (value ? INT_STATE_SHADOW : 0);
	*f = value;
	vmcb_dirty(vmcb, clean);
}

static struct vmcb_seg *seg_field(struct vmcb *vmcb, enum vseg_id s, uint32_t *clean)
{
	struct vmcb_save *v = &vmcb->save;

	*clean = 0;
	switch (s) {
	case SEG_ES: *clean = VMCB_CLEAN_SEG; return &v->es;
	case SEG_CS: *clean = VMCB_CLEAN_SEG; return &v->cs;
	case SEG_SS: *clean = VMCB_CLEAN_SEG; return &v->ss;
	case SEG_DS: *clean = VMCB_CLEAN_SEG; return &v->ds;
	case SEG_FS: return &v->fs;
	case SEG_GS: return &v->gs;
	case SEG_LDTR: return &v->ldtr;
	case SEG_TR: return &v->tr;
	case SEG_GDTR: *clean = VMCB_CLEAN_DT; return &v->gdtr;
	case SEG_IDTR: *clean = VMCB_CLEAN_DT; return &v->idtr;
	default: return NULL;
	}
}

void svm_get_seg(struct vcpu *v, enum vseg_id s, struct vseg *seg)
{
	uint32_t clean;
	const struct vmcb_seg *f = seg_field(vmcb_of(v), s, &clean);

	if (!f) {
		*seg = (struct vseg){ 0 };
		return;
	}
	seg->sel = f->sel;
	seg->attr = f->attr;
	seg->limit = f->limit;
	seg->base = f->base;
	/* SS.DPL is the CPL (as svm_set_seg sets it): the VMCB's CPL field
	 * is the CPU's word for it, e.g. after an AMD SYSRET. */
	if (s == SEG_SS)
		seg->attr = (uint16_t)((seg->attr & ~0x60u) | (vmcb_of(v)->save.cpl & 3u) << 5);
}

void svm_set_seg(struct vcpu *v, enum vseg_id s, const struct vseg *seg)
{
	struct vmcb *vmcb = vmcb_of(v);
	uint32_t clean;
	struct vmcb_seg *f = seg_field(vmcb, s, &clean);

	if (!f)
		return;
	set_seg_fields(f, seg->sel, seg->attr, seg->limit, seg->base);
	/* VMRUN takes the CPL from the VMCB, not from a segment: it is SS.DPL
	 * (0 in real mode, where the attributes carry DPL 0). */
	if (s == SEG_SS)
		vmcb->save.cpl = (seg->attr >> 5) & 3;
	vmcb_dirty(vmcb, clean);
}

static void dump_seg(const char *name, const struct vmcb_seg *s)
{
	printk("  %-4s sel %04x attr %03x limit %08x base %016lx\n", name, s->sel, s->attr,
	       s->limit, s->base);
}

void svm_dump(struct vcpu *v)
{
	const struct svm_vcpu *sv = to_svm(v);
	const struct vmcb *vmcb = sv->vmcb;
	const struct vmcb_control *c = &vmcb->ctl;
	const struct vmcb_save *s = &vmcb->save;

	printk("svm: VMCB at 0x%lx, ASID %u, exit code 0x%lx info1 0x%lx info2 0x%lx\n",
	       sv->vmcb_pa, c->asid, c->exit_code, c->exit_info1, c->exit_info2);
	printk("  exitintinfo 0x%lx eventinj 0x%lx int_ctl 0x%x int_state 0x%lx next_rip 0x%lx\n",
	       c->exit_int_info, c->event_inj, c->int_ctl, c->int_state, c->next_rip);
	printk("  rip 0x%lx rsp 0x%lx rflags 0x%lx cpl %u efer 0x%lx\n", s->rip, s->rsp,
	       s->rflags, s->cpl, s->efer);
	printk("  cr0 0x%lx cr2 0x%lx cr3 0x%lx cr4 0x%lx n_cr3 0x%lx\n", s->cr0, s->cr2, s->cr3,
	       s->cr4, c->n_cr3);
	dump_seg("cs", &s->cs);
	dump_seg("ss", &s->ss);
	dump_seg("ds", &s->ds);
	dump_seg("tr", &s->tr);
	printk("  gdtr base %016lx limit %x, idtr base %016lx limit %x\n", s->gdtr.base,
	       s->gdtr.limit, s->idtr.base, s->idtr.limit);
}
