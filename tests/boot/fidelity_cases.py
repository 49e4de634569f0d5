# SPDX-License-Identifier: GPL-2.0-only
"""Boot tests of what guests written elsewhere rely on (issue 15), with the
test guests of tests/guests/ and the helpers of guest_cases.py: `fid`
(instructions, exceptions, NMIs as real hardware does them; from the
hypervisor, from the management domain and as multiboot), `acpi` (the
platform's ACPI tables with 1, 2 and 4 vcpus) and `xsave` (XSAVE, AVX, AVX2,
AVX-512). tests/boot/cases.py appends FIDELITY_CASES to its CASES after
GUEST_CASES. See docs/guests.md.
"""

import re

from harness import ELF
from guest_cases import (MGMT_ELF, Dom, _modules, bochs_guests, check, check_pattern, check_report,
                         cmdline, expect_poweroff, make_iso_mods, qemu_guests, shell, wait_for)

# name, function, rough seconds
FIDELITY_CASES = []

# fid as PVH from the hypervisor (ELF32 i386, and elf32-x86-64 as fid-x64);
# the management domain builds fid-x64 too, from fidx.cfg.
FID_DOMS = [Dom("fid", 4, extra=",type=pvh,cmdline=hv"),
            Dom("fidx", 4, image="fid-x64", extra=",type=pvh,cmdline=hv")]
# QEMU 7.2's TCG raises #UD for ICEBP by itself (bare QEMU does the same):
# fid's command line says so under QEMU ("qemu-tcg"), not under Bochs.
FID_QEMU_DOMS = [Dom(d.name, d.mib, image=d.image, extra=d.extra + ",qemu-tcg") for d in FID_DOMS]
FID_MGMT = "domain=name=mgmt,type=pvh,image=mgmt.elf,memory=16,privileged=1"
# fid as a multiboot kernel (domain 3) with two modules, each with its own
# string; the guest knows what to expect (tests/guests/fid.c).
FID_MB = ('domain="name=fidmb,image=fid.elf,memory=4,type=multiboot,'
          'module=mod1.bin alpha beta,module=mod2.txt gamma,cmdline=mb one two,three"')


def _fid_mods(lab, doms, mgmt_cmdline):
    cfg, mbcfg = lab.tmp("fidm.cfg"), lab.tmp("fidmm.cfg")
    with open(cfg, "w") as f:
        f.write('name = "fidm"\ntype = "pvh"\nmemory = 4\nkernel = "fid-x64.elf"\n'
                'cmdline = "%s"\nautostart = 1\n' % mgmt_cmdline)
    # fid as a multiboot kernel built by the management domain, with the
    # same command line and modules as fidmb.
    with open(mbcfg, "w") as f:
        f.write('name = "fidmm"\ntype = "multiboot"\nmemory = 4\nkernel = "fid.elf"\n'
                'cmdline = "mb one two,three"\nautostart = 1\n'
                'module = [ "mod1.bin alpha beta", "mod2.txt gamma" ]\n')
    mod1, mod2 = lab.tmp("mod1.bin"), lab.tmp("mod2.txt")
    with open(mod1, "wb") as f:
        f.write(bytes((i * 7 + 1) % 251 for i in range(5000)))
    with open(mod2, "w") as f:
        f.write("the second module, byte for byte\n")
    return [MGMT_ELF, cfg, mbcfg, mod1, mod2] + _modules(doms)


def _fid_flow(m, t=1):
    """Each fid's report, from its own text: a domain id freed by one fid
    may be fidm's next (ids: the lowest free), so the hypervisor's fids are
    read up to their end and fidm from its start."""
    wait_for(m, r"\(d4\) fid: waiting for an NMI on each vcpu", 60 * t)
    # Hostile first: each gets its error and sends nothing (fidn counts).
    for cmd, err in (("nmi", r"usage: nmi DOM \[VCPU\]"), ("nmi 4 0 0", r"usage: nmi"),
                     ("nmi 99", r"no domain '99'"), ("nmi x", r"no domain 'x'"),
                     ("nmi 4 2", r"no vcpu '2': domain 4 has 2 vcpu\(s\)"),
                     ("nmi 4 -1", r"no vcpu '-1'"), ("nmi 4 99999999999", r"no vcpu ")):
        shell(m, cmd, err, 30 * t, refused=True)
    shell(m, "nmi 4", r"domain 4 vcpu 0: NMI sent", 30 * t)
    shell(m, "nmi 4 1", r"domain 4 vcpu 1: NMI sent", 30 * t)
    nmi_end = expect_poweroff(m, 4, "fidn", 60 * t)
    nmi_text = m.output[:nmi_end.end()]
    check_report(nmi_text, 4, "fid")
    check(len(re.findall(r"\(d4\) PASS fid/nmi-", nmi_text)) == 7,
          "fidn: not all 7 NMI checks passed")
    ends = [expect_poweroff(m, 1, "fid", 60 * t), expect_poweroff(m, 2, "fidx", 60 * t),
            expect_poweroff(m, 3, "fidmb", 60 * t)]
    st = wait_for(m, r"^domain (\d+) \(fidm\) started", 60 * t)
    dm = int(st[1])
    wait_for(m, r"\(d0\) mgmt: domain %d \(fidm\) powered off" % dm, 60 * t, st.end())
    mm = wait_for(m, r"^domain (\d+) \(fidmm\) started", 60 * t)
    mmid = int(mm[1])
    mme = wait_for(m, r"\(d0\) mgmt: domain %d \(fidmm\) powered off" % mmid, 60 * t, mm.end())
    out = m.output
    for dom, mb, who in ((3, out[:ends[2].end()], "fidmb, from the hypervisor"),
                         (mmid, out[mm.start():mme.end()], "fidmm, built by mgmt")):
        check_report(mb, dom, "fid")
        check(len(re.findall(r"\(d%d\) PASS fid/mb-" % dom, mb)) == 5,
              "%s (multiboot): not all 5 checks of its command line and modules passed" % who)
    texts = [(1, out[:ends[0].end()]), (2, out[:ends[1].end()]), (dm, out[st.start():])]
    for dom, text in texts:
        check_report(text, dom, "fid")
        check(re.search(r"\(d%d\) fid: hello from PAE paging$" % dom, text, re.M),
              "d%d: the console_io line written under PAE paging is missing" % dom)
    for dom, text in texts[1:]:
        check(re.search(r"\(d%d\) fid: PVH " % dom, text),
              "fid-x64 (elf32-x86-64, d%d) did not start as PVH" % dom)
    return texts


# fid with the PC platform (local APICs) and 2 vcpus: its NMI checks (domain 4).
FID_NMI = "domain=name=fidn,image=fid.elf,memory=4,type=pvh,platform=pc,vcpus=2,cmdline=nmi"


def _fid_opts(doms):
    return [cmdline(doms), FID_MB, FID_NMI, FID_MGMT]


def guests_fid(lab):
    """QEMU SVM (no NRIP save: lengths decoded through the guest's tables):
    `fid` as PVH from the hypervisor (ELF32 i386 and, as fid-x64,
    elf32-x86-64) and fid-x64 built by the management domain: exits under
    PAE paging whose PDPTE has Accessed set."""
    mods = _fid_mods(lab, FID_QEMU_DOMS, "mgmt qemu-tcg")
    lab.need(ELF, *mods)
    m = lab.qemu(["-kernel", ELF, "-append", " ".join(_fid_opts(FID_QEMU_DOMS)),
                  "-initrd", ",".join(mods)], limit=90)
    _fid_flow(m)


def _fid_bochs(cpu):
    # "bochs": its AMD models reserve the PDPTE's Accessed bit (see fid.c).
    doms = [Dom(d.name, d.mib, image=d.image, extra=d.extra + ",bochs") for d in FID_DOMS]

    def case(lab):
        iso = make_iso_mods(lab, _fid_mods(lab, doms, "mgmt bochs"), _fid_opts(doms))
        m = lab.bochs(iso, cpu=cpu, limit=400)
        _fid_flow(m, 4)
    case.__doc__ = "Bochs %s: the same as guests-fid." % cpu
    return case


guests_fid_bochs_vmx = _fid_bochs("corei7_skylake_x")   # VMX + EPT
guests_fid_bochs_svm = _fid_bochs("ryzen")              # SVM with NRIP save, decode assists


FIDELITY_CASES += [
    ("guests-fid-bochs-vmx", guests_fid_bochs_vmx, 150),
    ("guests-fid-bochs-svm", guests_fid_bochs_svm, 150),
    ("guests-fid", guests_fid, 10),
]


# -- acpi: the ACPI tables against the platform (issue 15) -----------------------

# The same guest with 2, 1 and 4 vcpus: each prints the count the hypervisor
# gave it and must find exactly that many local APICs in its MADT. As PVH
# (entered in flat32 mode) for Xen's ABI: the memory map and VCPUOP_up.
ACPI_DOMS = [Dom("acpi", 2, platform=True, extra=",type=pvh,vcpus=2"),
             Dom("acpi1", 2, image="acpi", platform=True, extra=",type=pvh"),
             Dom("acpi4", 2, image="acpi", platform=True, extra=",type=pvh,vcpus=4")]


def _acpi_flow(m, t=1):
    for dom, d in enumerate(ACPI_DOMS, 1):
        end = expect_poweroff(m, dom, d.name, 60 * t)
        text = m.output[:end.end()]
        check_report(text, dom, "acpi")
        want = int(d.extra.split("vcpus=")[1]) if "vcpus=" in d.extra else 1
        check(re.search(r"\(d%d\) acpi: %d vcpus$" % (dom, want), text, re.M),
              "%s (d%d): does not say it has %d vcpus" % (d.name, dom, want))
        check(len(re.findall(r"\(d%d\) PASS acpi/" % dom, text)) >= 25,
              "%s (d%d): fewer than 25 checks passed" % (d.name, dom))


def guests_acpi(lab):
    """QEMU SVM: `acpi` (platform=pc) with 2, 1 and 4 vcpus: its ACPI tables
    (RSDP, XSDT, MADT, FADT, FACS, DSDT) agree with the platform, and it
    powers off with the DSDT's \\_S5 sleep type."""
    _acpi_flow(qemu_guests(lab, ACPI_DOMS, limit=90))


def _acpi_bochs(cpu):
    def case(lab):
        _acpi_flow(bochs_guests(lab, ACPI_DOMS, cpu, limit=400), 4)
    case.__doc__ = "Bochs %s: the same as guests-acpi." % cpu
    return case


guests_acpi_bochs_vmx = _acpi_bochs("corei7_skylake_x")   # VMX + EPT
guests_acpi_bochs_svm = _acpi_bochs("ryzen")              # SVM with NRIP save


FIDELITY_CASES += [
    ("guests-acpi-bochs-vmx", guests_acpi_bochs_vmx, 30),
    ("guests-acpi-bochs-svm", guests_acpi_bochs_svm, 30),
    ("guests-acpi", guests_acpi, 6),
]


# -- xsave: XSAVE, AVX, AVX2, AVX-512 offered (issue 15) -----------------------------

# Two instances of one guest (tests/guests/xsave.c) yield to each other:
# d1 (odd) runs with XCR0 = x87|SSE|AVX, d2 with all it is offered (AVX-512
# too where the CPU has it); `pattern` (XCR0 = 1) sleeps beside them.
XSAVE_DOMS = [Dom("xsa", 4, image="xsave", extra=",type=pvh"),
              Dom("xsb", 4, image="xsave", extra=",type=pvh"), Dom("pattern", 4)]


def _xsave(m, avx512, t=1):
    ends = [expect_poweroff(m, d, n, 60 * t) for d, n in ((1, "xsa"), (2, "xsb"))]
    out = m.output
    for dom in (1, 2):
        check_report(out, dom, "xsave")
        for name in ("cpuid-0xd", "xsetbv-gp", "xsetbv-cpl3", "avx2", "avx", "xcr0-own", "xsave-roundtrip",
                     "xrstor-garbage", "switches"):
            check(re.search(r"^\(d%d\) PASS xsave/%s" % (dom, name), out, re.M),
                  "xsave (d%d): no PASS line for %s" % (dom, name))
    check(bool(re.search(r"^\(d2\) PASS xsave/avx512", out, re.M)) == avx512,
          "xsave (d2): AVX-512 %s expected" % ("checks" if avx512 else "no checks"))
    check(re.search(r"^vmm: XSAVE components 0x", out, re.M), "the hypervisor did not enable XSAVE")
    check_pattern(m, 3, max(e.end() for e in ends))


def guests_xsave(lab):
    """QEMU SVM (EPYC-Rome: XSAVE, AVX, AVX2, no AVX-512): `xsave` twice."""
    _xsave(qemu_guests(lab, XSAVE_DOMS), False)


def guests_xsave_bochs_vmx(lab):
    """Bochs corei7_skylake_x (VMX, AVX-512): d2 runs with XCR0 = 0xe7."""
    _xsave(bochs_guests(lab, XSAVE_DOMS, "corei7_skylake_x"), True, 4)


def guests_xsave_bochs_svm(lab):
    """Bochs ryzen (SVM, AVX2, no AVX-512)."""
    _xsave(bochs_guests(lab, XSAVE_DOMS, "ryzen"), False, 4)


FIDELITY_CASES += [
    ("guests-xsave", guests_xsave, 10),
    ("guests-xsave-bochs-vmx", guests_xsave_bochs_vmx, 150),
    ("guests-xsave-bochs-svm", guests_xsave_bochs_svm, 150),
]
