/* SPDX-License-Identifier: GPL-2.0-only */
/* Port I/O dispatch and the debug console port (see ioport.h). */
#include "vmm/plat/ioport.h"
#include "kernel/bytes.h"
#include "vmm/core/domain.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/vmm.h"
#include "vmm/plat/vplat.h"

#define DEBUGCON_PORT 0xe9
#define STRING_BATCH 1024 /* iterations of a REP string I/O per exit */

/* Port 0xE9, the Bochs/QEMU/Xen debug console: each byte written goes to
 * the domain's console; reads return 0xE9 so guests can detect it. */
static void debugcon_io(struct vcpu *v, bool in, uint32_t *val)
{
	if (in) {
		*val = DEBUGCON_PORT;
		return;
	}
	char c = (char)*val;
	domain_console_put(v->dom, &c, 1);
}

/* One access: the platform's models, then the debug console; an
 * unclaimed read gives all ones. */
static uint32_t port_io(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t val)
{
	uint32_t mask = (uint32_t)size_mask(size);

	val = in ? mask : val & mask;
	if (vplat_io(v, port, size, in, &val))
		return val & mask;
	if (port == DEBUGCON_PORT)
		debugcon_io(v, in, &val);
	return val & mask;
}

void ioport_access(struct vcpu *v, uint16_t port, unsigned size, bool in)
{
	uint32_t mask = (uint32_t)size_mask(size);
	uint32_t val = port_io(v, port, size, in, (uint32_t)v->gprs[GPR_RAX]);

	if (!in)
		return;
	/* IN writes AL/AX/EAX; a 32-bit write zero-extends into RAX. */
	if (size == 4)
		v->gprs[GPR_RAX] = val;
	else
		v->gprs[GPR_RAX] = (v->gprs[GPR_RAX] & ~(uint64_t)mask) | val;
}

/*
 * INS/OUTS: ES:rDI or DS:rSI, stepping by the size (backwards when
 * RFLAGS.DF), RCX times with REP. The address size is the mode's default
 * (an 0x67 prefix is not honoured). At most STRING_BATCH iterations run
 * per exit; the instruction is then re-executed for the rest, as hardware
 * does on an interrupt. A fault injects #PF at the element that faulted.
 */
bool ioport_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep)
{
	enum cpu_mode mode = guest_mode(v);
	uint64_t amask = mode == CPU_MODE_LONG64 ? ~0ull : mode == CPU_MODE_PROT32 ? 0xffffffffull : 0xffff;
	enum gpr idx = in ? GPR_RDI : GPR_RSI;
	struct vseg seg;
	uint64_t count = rep ? v->gprs[GPR_RCX] & amask : 1;
	int64_t step = vcpu_ops->get(v, VS_RFLAGS) & (1u << 10) ? -(int64_t)size : (int64_t)size;

	vcpu_ops->get_seg(v, in ? SEG_ES : SEG_DS, &seg);
	for (unsigned n = 0; count && n < STRING_BATCH; n++) {
		uint64_t off = v->gprs[idx] & amask;
		uint64_t la = mode == CPU_MODE_LONG64 ? off : (seg.base + off) & 0xffffffffull;
		uint32_t val = 0, pf = 0;
		int rc;
		if (in) {
			val = port_io(v, port, size, true, 0);
			rc = copy_to_guest_virt(v, la, &val, size, &pf);
		} else {
			rc = copy_from_guest_virt(v, &val, la, size, &pf);
			if (!rc)
				port_io(v, port, size, false, val);
		}
		if (rc) {
			vcpu_ops->set(v, VS_CR2, la);
			vcpu_inject_exception(v, EXC_PF, true, pf);
			return false;
		}
		v->gprs[idx] = (v->gprs[idx] & ~amask) | ((off + (uint64_t)step) & amask);
		count--;
		if (rep)
			v->gprs[GPR_RCX] = (v->gprs[GPR_RCX] & ~amask) | count;
	}
	return count == 0;
}
