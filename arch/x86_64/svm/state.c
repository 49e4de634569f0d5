/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest registers in the VMCB: the neutral enum vstate and segment ids
 * mapped to save-area fields through tables, and the dump. Every
 * write clears the clean bit of its field group so that the CPU reloads
 * it (VMCB clean bits, APM 15.15.3). FS, GS, TR, LDTR, KernelGSBase and
 * the syscall MSRs have no clean bit: VMLOAD reads them at every entry.
 */
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/cpu.h"
#include "kernel/log.h"

/* The VMCB field behind each enum vstate and enum vseg_id, with its clean
 * bit (0: none). */
struct field {
	uint16_t off;
	uint16_t clean;
};

#define SAVE(f, clean) { offsetof(struct vmcb, save.f), (clean) }
#define CTL(f, clean) { offsetof(struct vmcb, ctl.f), (clean) }

static const struct field state_fields[VS_COUNT] = {
	[VS_RIP] = SAVE(rip, 0), [VS_RFLAGS] = SAVE(rflags, 0),
	[VS_CR0] = SAVE(cr0, VMCB_CLEAN_CRX), [VS_CR2] = SAVE(cr2, VMCB_CLEAN_CR2),
	[VS_CR3] = SAVE(cr3, VMCB_CLEAN_CRX), [VS_CR4] = SAVE(cr4, VMCB_CLEAN_CRX),
	[VS_EFER] = SAVE(efer, VMCB_CLEAN_CRX), [VS_DR7] = SAVE(dr7, VMCB_CLEAN_DRX),
	[VS_PAT] = SAVE(g_pat, VMCB_CLEAN_NP),
	[VS_FS_BASE] = SAVE(fs.base, 0), [VS_GS_BASE] = SAVE(gs.base, 0),
	[VS_KERNEL_GS_BASE] = SAVE(kernel_gs_base, 0),
	[VS_STAR] = SAVE(star, 0), [VS_LSTAR] = SAVE(lstar, 0), [VS_CSTAR] = SAVE(cstar, 0),
	[VS_SFMASK] = SAVE(sfmask, 0), [VS_SYSENTER_CS] = SAVE(sysenter_cs, 0),
	[VS_SYSENTER_ESP] = SAVE(sysenter_esp, 0), [VS_SYSENTER_EIP] = SAVE(sysenter_eip, 0),
	[VS_TSC_OFFSET] = CTL(tsc_offset, VMCB_CLEAN_INTERCEPTS),
	[VS_INTR_SHADOW] = CTL(int_state, 0),
};

static const struct field seg_fields[SEG_COUNT] = {
	[SEG_ES] = SAVE(es, VMCB_CLEAN_SEG), [SEG_CS] = SAVE(cs, VMCB_CLEAN_SEG),
	[SEG_SS] = SAVE(ss, VMCB_CLEAN_SEG), [SEG_DS] = SAVE(ds, VMCB_CLEAN_SEG),
	[SEG_FS] = SAVE(fs, 0), [SEG_GS] = SAVE(gs, 0),
	[SEG_LDTR] = SAVE(ldtr, 0), [SEG_TR] = SAVE(tr, 0),
	[SEG_GDTR] = SAVE(gdtr, VMCB_CLEAN_DT), [SEG_IDTR] = SAVE(idtr, VMCB_CLEAN_DT),
};

/* The field of a valid id (NULL otherwise), its clean bit in *clean. */
static void *field(struct vcpu *v, const struct field *table, unsigned count, unsigned id,
		   uint32_t *clean)
{
	if (id >= count)
		return NULL;
	*clean = table[id].clean;
	return (char *)vmcb_of(v) + table[id].off;
}

uint64_t svm_get(struct vcpu *v, enum vstate s)
{
	uint32_t clean;
	const uint64_t *f = field(v, state_fields, VS_COUNT, s, &clean);

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
	uint32_t clean;
	uint64_t *f = field(v, state_fields, VS_COUNT, s, &clean);

	if (!f)
		return;
	if (s == VS_EFER)
		value |= EFER_SVME; /* VMRUN refuses a guest without it */
	else if (s == VS_INTR_SHADOW)
		value = (*f & ~(uint64_t)INT_STATE_SHADOW) | (value ? INT_STATE_SHADOW : 0);
	*f = value;
	vmcb_dirty(vmcb_of(v), clean);
}

void svm_get_seg(struct vcpu *v, enum vseg_id s, struct vseg *seg)
{
	uint32_t clean;
	const struct vmcb_seg *f = field(v, seg_fields, SEG_COUNT, s, &clean);

	if (!f) {
		*seg = (struct vseg){ 0 };
		return;
	}
	*seg = (struct vseg){ .sel = f->sel, .attr = f->attr, .limit = f->limit, .base = f->base };
	/* SS.DPL is the CPL (as svm_set_seg sets it): the VMCB's CPL field
	 * is the CPU's word for it, e.g. after an AMD SYSRET. */
	if (s == SEG_SS)
		seg->attr = (uint16_t)((seg->attr & ~0x60u) | (vmcb_of(v)->save.cpl & 3u) << 5);
}

void svm_set_seg(struct vcpu *v, enum vseg_id s, const struct vseg *seg)
{
	struct vmcb *vmcb = vmcb_of(v);
	uint32_t clean;
	struct vmcb_seg *f = field(v, seg_fields, SEG_COUNT, s, &clean);

	if (!f)
		return;
	*f = (struct vmcb_seg){ .sel = seg->sel, .attr = seg->attr, .limit = seg->limit,
				.base = seg->base };
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
