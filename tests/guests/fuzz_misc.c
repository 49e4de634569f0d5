/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz (see fuzz.c): hvm_op, physdev_op, console_io, xen_version,
 * eyrie_op; hypercalls made from code in arena pages; raw random calls. */
#include "fuzz.h"

void act_hvm(void)
{
	static struct xen_hvm_param p;
	uint32_t c = below(10);
	bool other = chance(5);
	uint32_t idx = chance(95) ? below(HVM_NR_PARAMS) : HVM_NR_PARAMS + below(1000);
	long rc;

	p.domid = other ? random_dom() : chance(50) ? DOMID_SELF : (domid_t)self_id;
	if (other && p.domid == DOMID_SELF)
		p.domid = DOMID_INVALID;
	p.index = idx;
	if (c < 5) {
		p.value = 0xdeadbeef;
		rc = hc(F_HVM, HYPERVISOR_hvm_op, HVMOP_get_param, (uint32_t)(uintptr_t)&p, 0, 0, 0);
		if (other || idx >= HVM_NR_PARAMS)
			expect_rc(F_HVM, "get_param", rc, other ? E(ESRCH) : E(EINVAL));
		else if ((idx == HVM_PARAM_CONSOLE_PFN || idx == HVM_PARAM_CONSOLE_EVTCHN) && !hvmp[idx])
			expect_rc(F_HVM, "get_param (no console ring)", rc, E(ENOENT));
		else if (rc || p.value != hvmp[idx])
			bad(F_HVM, "get_param(%u): %ld, 0x%llx, the last set 0x%llx", idx, rc,
			    (unsigned long long)p.value, (unsigned long long)hvmp[idx]);
		return;
	}
	if (c < 9) {
		uint64_t v = ((uint64_t)rnd() << 32) | rnd();
		bool valid = true;
		if (idx == HVM_PARAM_CALLBACK_IRQ) {
			/* our vector or none; others refused (a vector we have no
			 * gate for would fault us) */
			uint32_t k = below(4);
			v = k == 0 ? 0 : k == 1 ? HVM_CALLBACK_VECTOR(CALLBACK_VECTOR)
				: k == 2 ? HVM_CALLBACK_VECTOR(below(32)) : (v | 1ull << 56) & ~(1ull << 57);
			valid = k < 2;
		}
		p.value = v;
		rc = hc(F_HVM, HYPERVISOR_hvm_op, HVMOP_set_param, (uint32_t)(uintptr_t)&p, 0, 0, 0);
		if (!expect_rc(F_HVM, "set_param", rc, other ? E(ESRCH) : idx >= HVM_NR_PARAMS || !valid
			       ? E(EINVAL) : OK) || rc)
			return;
		hvmp[idx] = v;
		return;
	}
	rc = hc(F_HVM, HYPERVISOR_hvm_op, chance(50) ? 2 + below(40) : rnd(), (uint32_t)(uintptr_t)&p,
		0, 0, 0);
	expect_rc(F_HVM, "an op not offered", rc, E(ENOSYS));
}

void act_physdev(void)
{
	static struct physdev_irq_status_query q;
	uint32_t cmd = chance(70) ? (chance(50) ? PHYSDEVOP_eoi : PHYSDEVOP_irq_status_query) : below(40);
	bool badptr = chance(10);

	q.irq = below(300);
	q.flags = 0;
	long rc = hc(F_PHYS, HYPERVISOR_physdev_op, cmd,
		     badptr ? (ram_pages << 12) + 8 * below(100) : (uint32_t)(uintptr_t)&q, 0, 0, 0);
	uint64_t allow = cmd != PHYSDEVOP_eoi && cmd != PHYSDEVOP_irq_status_query ? E(ENOSYS)
			 : badptr ? E(EFAULT) : E(EINVAL);
	expect_rc(F_PHYS, "physdev_op", rc, allow);
}

void act_console(void)
{
	static char line[48];
	uint32_t c = below(100);
	long rc;

	if (c < 10) {
		int n = snprintf_(line, sizeof(line), "fuzz: console_io at call %u\n", ncalls);
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, (uint32_t)n, (uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io write", rc, OK);
	} else if (c < 30) {
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, 0, rnd(), 0, 0);
		expect_rc(F_CON, "console_io write of 0 bytes", rc, OK);
	} else if (c < 50) {
		int s = pick_kind(PG_HOLE);
		uint32_t at = s >= 0 && slot_acc((uint32_t)s) ? (uint32_t)(uintptr_t)slot_ptr((uint32_t)s)
			: bad_ptr();
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, 1 + below(64), at, 0, 0);
		expect_rc(F_CON, "console_io write from a hole", rc, E(EFAULT));
	} else if (c < 60) {
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_write, 65537 + below(1000000),
			(uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io write > 64 KiB", rc, E(EINVAL));
	} else if (c < 80) {
		rc = hc(F_CON, HYPERVISOR_console_io, CONSOLEIO_read, below(64), (uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io read", rc, E(EPERM));
	} else {
		rc = hc(F_CON, HYPERVISOR_console_io, 2 + below(100), 1, (uint32_t)(uintptr_t)line, 0, 0);
		expect_rc(F_CON, "console_io command not offered", rc, E(ENOSYS));
	}
}

void act_version(void)
{
	static uint8_t buf[256]; /* the largest answer: compile_info, 144 bytes */
	uint32_t cmd = chance(95) ? below(12) : rnd();
	bool badptr = chance(10);
	uint32_t ptr = badptr ? (ram_pages << 12) + below(4096) : (uint32_t)(uintptr_t)buf;

	memset(buf, 0xaa, sizeof(buf));
	long rc = hc(F_VER, HYPERVISOR_xen_version, cmd, ptr, 0, 0, 0);
	uint64_t allow;
	bool content = true;
	switch (cmd) {
	case XENVER_version: allow = rc == (long)EYRIE_XEN_VERSION ? OK : 0; break;
	case XENVER_pagesize: allow = rc == 4096 ? OK : 0; break;
	case XENVER_commandline: case XENVER_build_id: allow = E(EPERM); break;
	case XENVER_compile_info:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || (buf[0] && buf[0] != 0xaa && has_nul(buf, 64) && buf[144] == 0xaa);
		break;
	case XENVER_platform_parameters: /* virt_start 0, a 32-bit xen_ulong_t */
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || (zero(buf, 4) && buf[4] == 0xaa);
		break;
	case XENVER_extraversion:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || !memcmp(buf, "-eyrie\0", 7);
		break;
	case XENVER_capabilities:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || !memcmp(buf, "hvm-3.0-x86_64", 14);
		break;
	case XENVER_changeset: allow = badptr ? E(EFAULT) : OK; break;
	case XENVER_get_features:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || ((uint32_t *)buf)[1] == 0 ||
			  (((uint32_t *)buf)[1] & (1u << XENFEAT_hvm_callback_vector));
		break;
	case XENVER_guest_handle:
		allow = badptr ? E(EFAULT) : OK;
		content = badptr || (buf[14] == (uint8_t)(self_id >> 8) && buf[15] == (uint8_t)self_id &&
				     zero(buf, 12));
		break;
	default: allow = E(ENOSYS); break;
	}
	if (!(ebit(rc) & allow) || !content)
		bad(F_VER, "xen_version(%u, %s): %ld%s", cmd, badptr ? "a bad pointer" : "a buffer", rc,
		    content ? "" : ", wrong contents");
}

void act_eyrie(void)
{
	static uint8_t buf[256];
	uint32_t op = chance(80) ? below(16) : rnd();
	long rc = hc(F_EYRIE, HYPERVISOR_eyrie_op, op,
		     chance(50) ? (uint32_t)(uintptr_t)buf : (ram_pages << 12) + 64 * below(100), 0, 0, 0);

	expect_rc(F_EYRIE, "eyrie_op from an unprivileged domain", rc, E(EPERM));
}

/* ---- code in arena pages: hypercalls made from them; the hypercall page ---- */

#define XEN_MSR 0x40000000u
#define STUB_OFF 1960u   /* in [512, 2048), clear of copies and probes */

/* A hypercall made by an instruction in an arena page (the length of the
 * VMMCALL/VMCALL is decoded from there on CPUs that do not report it). */
static long call_code(const uint8_t *fn, uint32_t ebx)
{
	long ret;
	uint32_t b = ebx, c = 0, d = 0;

	__asm__ volatile("call *%[fn]" : "=a"(ret), "+b"(b), "+c"(c), "+d"(d) : [fn] "r"(fn)
			 : "memory", "esi", "edi");
	ncalls++;
	fcalls[F_CODE]++;
	fok[F_CODE] += ret >= 0;
	if (ncalls >= cfg_trace)
		gprintf("fuzz: #%u code at 0x%x = %ld\n", ncalls, (uint32_t)(uintptr_t)fn, ret);
	return ret;
}

/* mov $nr, %eax; vmmcall (or vmcall); ret */
static void put_stub(volatile uint8_t *at, uint32_t nr)
{
	const uint8_t stub[9] = { 0xb8, (uint8_t)nr, 0, 0, 0, 0x0f, 0x01, hc_amd ? 0xd9 : 0xc1, 0xc3 };

	for (int i = 0; i < 9; i++)
		at[i] = stub[i];
}

static void check_code(const uint8_t *fn, const char *where)
{
	long v = call_code(fn, XENVER_version);

	if (v != (long)EYRIE_XEN_VERSION)
		bad(F_CODE, "xen_version from code %s at 0x%x: %ld", where, (uint32_t)(uintptr_t)fn, v);
}

static int msr_write(uint32_t msr, uint64_t v)
{
	int vec = wrmsr_safe(msr, v);

	ncalls++;
	fcalls[F_CODE]++;
	fok[F_CODE] += vec < 0;
	return vec;
}

void act_code(void)
{
	uint32_t c = below(10);
	int s = (int)pick_slot();

	if (!slot_acc((uint32_t)s))
		return;
	uint8_t *p = slot_ptr((uint32_t)s);
	const struct map *m = pg[s].kind == PG_FOREIGN ? &mp[pg[s].map] : NULL;
	if (c < 5) { /* a hypercall from code in this page */
		uint32_t off = STUB_OFF;
		uint8_t *w = p; /* where to write it */
		switch (pg[s].kind) {
		case PG_RAM: break;
		case PG_SHINFO: off = 3300; break;
		case PG_GNT: off = 4040; break;
		case PG_FOREIGN:
			if (m->peer && !m->ro)
				off = 3000;
			else if (!m->peer && m->src_slot != 0xffff)
				w = slot_ptr(m->src_slot);
			else
				return;
			break;
		default: return;
		}
		put_stub(w + off, HYPERVISOR_xen_version);
		check_code(p + off, pg_name[pg[s].kind]);
		put_stub(w + off, 100); /* the same place, another number */
		long v = call_code(p + off, 0);
		if (v != -ENOSYS)
			bad(F_CODE, "hypercall 100 from code at 0x%x: %ld", (uint32_t)(uintptr_t)(p + off), v);
		if (pg[s].kind == PG_GNT)
			memset(p + off, 0, 9);
		return;
	}
	if (c < 7) { /* across a page end: both our RAM, nobody else reads them */
		if (s + 1 >= (int)arena_n || pg[s].kind != PG_RAM || pg[s + 1].kind != PG_RAM ||
		    pg[s].pgrants || pg[s + 1].pgrants)
			return;
		uint32_t k = 1 + below(8);
		uint8_t save[8];
		memcpy(save, p + 4096, 9 - k);
		put_stub(p + 4096 - k, HYPERVISOR_xen_version);
		check_code(p + 4096 - k, "across a page end");
		memcpy(p + 4096, save, 9 - k);
		return;
	}
	/* The hypercall page (MSR 0x40000000) filled into this page. */
	uint64_t v;
	if (chance(10)) {
		ncalls++;
		fcalls[F_CODE]++;
		if (rdmsr_safe(XEN_MSR, &v) != VEC_GP)
			bad(F_CODE, "a read of MSR 0x%x did not fault", XEN_MSR);
		return;
	}
	bool writable = pg[s].kind == PG_RAM || (m && !m->peer && !m->ro);
	int src = pg[s].kind == PG_RAM ? s : m && !m->peer ? m->src_slot : -1;
	uint32_t gfn = slot_gfn((uint32_t)s);
	if (pg[s].kind == PG_SHINFO || pg[s].kind == PG_GNT || pg[s].kind == PG_UNKNOWN ||
	    (m && m->peer && !m->ro) || (writable && (src < 0 || pg[src].pgrants)))
		return; /* would overwrite what we keep there, or the peer's tag */
	bool index = chance(10);
	uint8_t before[32];
	bool readable = pg[s].kind != PG_HOLE;
	if (readable)
		memcpy(before, p + 17 * 32, 32);
	if (writable && !index)
		mb_touch();
	int vec = msr_write(XEN_MSR, ((uint64_t)gfn << 12) | (index ? 1 + below(0xfff) : 0));
	if (!writable || index) {
		if (vec != VEC_GP || (readable && memcmp(before, p + 17 * 32, 32)))
			bad(F_CODE, "the hypercall page into a %s%s page at 0x%x%s: vector %d%s",
			    m && m->ro ? "read-only " : "", pg_name[pg[s].kind], gfn,
			    index ? " (page index > 0)" : "", vec,
			    readable && memcmp(before, p + 17 * 32, 32) ? ", written" : "");
		return;
	}
	if (vec >= 0) {
		bad(F_CODE, "the hypercall page into a %s page at 0x%x: vector %d", pg_name[pg[s].kind],
		    gfn, vec);
		return;
	}
	check_code(p + HYPERVISOR_xen_version * 32, "in the hypercall page");
	long r = call_code(p + 100 * 32, 0);
	if (r != -ENOSYS)
		bad(F_CODE, "stub 100 of the hypercall page at 0x%x: %ld", gfn, r);
	tag_slot((uint32_t)src); /* the stubs took the tag's place */
}

/* ---- raw random calls ----------------------------------------------------------------------- */

static bool implemented(uint32_t nr)
{
	switch (nr) {
	case HYPERVISOR_memory_op: case HYPERVISOR_set_timer_op: case HYPERVISOR_xen_version:
	case HYPERVISOR_console_io: case HYPERVISOR_grant_table_op: case HYPERVISOR_vcpu_op:
	case HYPERVISOR_sched_op: case HYPERVISOR_event_channel_op: case HYPERVISOR_physdev_op:
	case HYPERVISOR_hvm_op: case HYPERVISOR_eyrie_op:
		return true;
	default:
		return false;
	}
}

/* A pointer no call may use: outside RAM and away from what we map above
 * it, or straddling RAM's end. */
uint32_t bad_ptr(void)
{
	static const uint32_t fixed[] = { 0x40000000u, 0x80000000u, 0xc0000000u, 0xfee00000u,
					  0xfffe0000u, 0xfffeffffu };
	uint32_t c = below(4), top = ram_pages << 12;

	if (c == 0)
		return top - 1; /* one byte of RAM (our last page, outside the arena): no 2-byte field fits */
	if (c == 1)
		return top + below(0x7f000);
	return fixed[below(6)];
}

void act_raw(void)
{
	uint32_t nr, a[5];

	for (int i = 0; i < 5; i++)
		a[i] = chance(50) ? bad_ptr() : rnd();
	if (chance(30)) {
		do
			nr = chance(50) ? below(64) : rnd();
		while (implemented(nr));
		long rc = hc(F_RAW, nr, a[0], a[1], a[2], a[3], a[4]);
		expect_rc(F_RAW, "a number not offered", rc, E(ENOSYS));
		return;
	}
	static const uint32_t nrs[] = { HYPERVISOR_memory_op, HYPERVISOR_xen_version,
		HYPERVISOR_console_io, HYPERVISOR_grant_table_op, HYPERVISOR_vcpu_op,
		HYPERVISOR_sched_op, HYPERVISOR_event_channel_op, HYPERVISOR_physdev_op,
		HYPERVISOR_hvm_op, HYPERVISOR_eyrie_op };
	nr = nrs[below(10)];
	/* the command small (mostly), every pointer argument bad */
	a[0] = chance(80) ? below(24) : rnd();
	a[1] = bad_ptr();
	a[2] = chance(50) ? bad_ptr() : rnd();
	if (nr == HYPERVISOR_vcpu_op) { /* (cmd, vcpu, arg) */
		a[1] = chance(80) ? below(3) : rnd();
		a[2] = bad_ptr();
		if (a[0] == VCPUOP_down || a[0] == VCPUOP_up) /* not ourselves, nor vcpu 1's state */
			a[0] = VCPUOP_get_runstate_info;
	}
	if (nr == HYPERVISOR_sched_op && a[0] == SCHEDOP_block)
		a[0] = SCHEDOP_poll;
	if (nr == HYPERVISOR_grant_table_op)
		a[2] = 1 + below(100); /* count */
	if (nr == HYPERVISOR_console_io) { /* (cmd, count, buffer) */
		a[1] = 1 + below(100000);
		a[2] = bad_ptr();
	}
	long rc = hc(F_RAW, nr, a[0], a[1], a[2], a[3], a[4]);
	bool ok_allowed =
		(nr == HYPERVISOR_xen_version && (a[0] == XENVER_version || a[0] == XENVER_pagesize)) ||
		(nr == HYPERVISOR_sched_op && a[0] == SCHEDOP_yield) ||
		(nr == HYPERVISOR_vcpu_op && a[1] < nvcpus &&
		 (a[0] == VCPUOP_is_up || a[0] == VCPUOP_stop_periodic_timer ||
		  (a[0] == VCPUOP_stop_singleshot_timer && a[1] == 0)));
	if (rc >= 0 && !ok_allowed)
		bad(F_RAW, "hypercall %u(0x%x, 0x%x, 0x%x) with bad pointers: %ld", nr, a[0], a[1], a[2], rc);
}

