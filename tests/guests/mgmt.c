/*
 * mgmt: the privileged domain's management operations (HYPERVISOR_eyrie_op,
 * include/public/eyrie.h). Run as domain 0 (type=pvh,privileged=1) beside a
 * `pattern` domain (id 1), with pvh.elf and pattern.elf among the boot
 * modules: it lists the domains, pauses and unpauses pattern, creates a
 * PVH domain that runs the pvh checks, creates and destroys another, and
 * checks the refusals.
 */
#include "runtime.h"
#include "x86.h"

#include "include/public/event_channel.h"
#include "include/public/eyrie.h"
#include "include/public/memory.h"
#include "include/public/xen.h"

const char guest_name[] = "mgmt";

#define MS 1000000ull

static struct eyrie_dom_info doms[16];
static union {
	struct shared_info s;
	uint8_t page[4096];
} shpage __attribute__((aligned(4096)));
static volatile uint32_t upcalls;

static void upcall(void)
{
	shpage.s.vcpu_info[0].evtchn_upcall_pending = 0;
	__atomic_exchange_n((volatile uint32_t *)&shpage.s.vcpu_info[0].evtchn_pending_sel, 0,
			    __ATOMIC_SEQ_CST);
	__atomic_exchange_n((volatile uint32_t *)&shpage.s.evtchn_pending[0], 0, __ATOMIC_SEQ_CST);
	upcalls++;
}

/* The hypervisor's console input (Ctrl-A x3 on the serial line): one line,
 * announced by VIRQ_CONSOLE, read with CONSOLEIO_read, echoed back. */
static void console_input(void)
{
	struct { uint16_t domid, size; uint32_t space, idx, gpfn; } map = {
		DOMID_SELF, 0, XENMAPSPACE_shared_info, 0, (uint32_t)(uintptr_t)&shpage >> 12,
	};
	struct evtchn_bind_virq bv = { VIRQ_CONSOLE, 0, 0 };
	long rm = hypercall(HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&map, 0, 0, 0);
	long rb = hypercall(HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bv, 0, 0, 0);
	char line[64];
	unsigned n = 0;

	callback_hook = upcall;
	callback_setup();
	sti();
	gprintf("mgmt: console ready\n");
	uint64_t end = now_ns() + 60000 * MS;
	uint32_t seen = upcalls;
	while (now_ns() < end && (n == 0 || (line[n - 1] != '\r' && line[n - 1] != '\n'))) {
		if (upcalls == seen) {
			spin_until(now_ns() + 5 * MS, true);
			continue;
		}
		seen = upcalls;
		long got = hypercall(HYPERVISOR_console_io, CONSOLEIO_read, sizeof(line) - 1 - n,
				     (unsigned long)(line + n), 0, 0);
		if (got > 0)
			n += (unsigned)got;
		if (n >= sizeof(line) - 1)
			break;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	line[n] = 0;
	cli();
	gprintf("mgmt: got '%s'\n", line);
	check("console-input", rm == 0 && rb == 0 && upcalls > 0 && !memcmp(line, "hello dom0", 11),
	      "map %ld, bind %ld, %u upcall(s), line '%s'", rm, rb, upcalls, line);
}

static long op(unsigned o, void *arg)
{
	return hypercall(HYPERVISOR_eyrie_op, o, (unsigned long)arg, 0, 0, 0);
}

static int list(void)
{
	struct eyrie_dom_list l = { 16, 0, (uint32_t)(uintptr_t)doms };

	return op(EYRIE_OP_list, &l) ? -1 : (int)l.nr;
}

static const struct eyrie_dom_info *find(unsigned id)
{
	int n = list();

	for (int i = 0; i < n; i++)
		if (doms[i].domid == id)
			return &doms[i];
	return 0;
}

static long dom_op(unsigned o, uint32_t domid)
{
	struct eyrie_dom_id id = { domid };

	return op(o, &id);
}

static long create(const char *spec, uint32_t *domid)
{
	struct eyrie_dom_create c = { (uint32_t)(uintptr_t)spec, (uint32_t)strlen(spec), 0 };
	long rc = op(EYRIE_OP_create, &c);

	*domid = c.domid;
	return rc;
}

void guest_main(void)
{
	int n = list();
	const struct eyrie_dom_info *me = find(0), *pat = find(1);

	check("list", n >= 2 && me && (me->flags & EYRIE_DOMF_PRIVILEGED) && pat &&
			  !memcmp(pat->name, "pattern", 8) && pat->state == EYRIE_DOM_RUNNING &&
			  pat->memory_kib == 4096,
	      "%d domains; 0: %s; 1: %s", n, me ? me->name : "-", pat ? pat->name : "-");

	long rp = dom_op(EYRIE_OP_pause, 1);
	pat = find(1);
	bool paused = pat && pat->state == EYRIE_DOM_PAUSED;
	long ru = dom_op(EYRIE_OP_unpause, 1);
	pat = find(1);
	check("pause-unpause", rp == 0 && paused && ru == 0 && pat && pat->state == EYRIE_DOM_RUNNING,
	      "pause %ld (paused: %d), unpause %ld", rp, paused, ru);

	uint32_t made = 0, victim = 0;
	long rc = create("name=made,type=pvh,image=pvh.elf,initrd=pattern.elf,memory=2,"
			 "cmdline=pvh-test-cmdline", &made);
	const struct eyrie_dom_info *m = find(made);
	check("create", rc == 0 && made >= 2 && m && !memcmp(m->name, "made", 5) && m->type == 3,
	      "%ld, domain %u", rc, made);
	gprintf("mgmt: created domain %u\n", made);

	rc = create("name=victim,image=pattern.elf,memory=4", &victim);
	spin_until(now_ns() + 20 * MS, true);
	long rd = dom_op(EYRIE_OP_destroy, victim);
	check("create-destroy", rc == 0 && rd == 0 && !find(victim), "create %ld (domain %u), destroy %ld",
	      rc, victim, rd);

	uint32_t none = 0;
	struct eyrie_dom_list bad = { 4, 0, 0xfffff000u };
	long r1 = dom_op(EYRIE_OP_pause, 999), r2 = dom_op(EYRIE_OP_destroy, 0);
	long r3 = create("garbage", &none), r4 = create("", &none), r5 = op(EYRIE_OP_list, &bad);
	long r6 = op(99, &bad);
	check("refusals", r1 == -3 && r2 == -22 && r3 == -22 && r4 == -22 && r5 == -14 && r6 == -38,
	      "pause 999 %ld, destroy self %ld, bad spec %ld, empty spec %ld, bad buffer %ld, op 99 %ld",
	      r1, r2, r3, r4, r5, r6);
	/* Let the created domain finish its checks (it powers itself off). */
	uint64_t end = now_ns() + 20000 * MS;
	while (find(made) && now_ns() < end)
		spin_until(now_ns() + 20 * MS, true);
	check("made-finished", !find(made), "domain %u still there after 20 s", made);
	console_input();
}
