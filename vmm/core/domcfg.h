/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain configuration from the hypervisor options (pure, host-tested):
 *   domain=name=NAME,image=MODULE,memory=MIB[,boot=flat32|real][,type=elf|multiboot|pvh]
 *          [,initrd=MODULE][,platform=pc|none][,privileged=1][,on_reboot=destroy|restart]
 *          [,vcpus=N][,module=NAME[ STRING]]...[,cmdline=TEXT]
 * cmdline takes the rest of the value, commas included (quote the option
 * for blanks: domain="name=p,...,cmdline=console=hvc0 quiet").
 * type=linux (or hvm) is refused: as in Xen, HVM Linux guests are built by
 * the management domain's toolstack (xl.cfg type="hvm"), not from here.
 */
#ifndef EYRIE_VMM_DOMCFG_H
#define EYRIE_VMM_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOM_NAME_LEN 32
#define DOM_IMAGE_LEN 128
#define DOM_MAX_MEMORY_MIB 65536

enum dom_boot { DOM_BOOT_FLAT32, DOM_BOOT_REAL };
/* How the image is loaded: an ELF's segments, or a multiboot1 kernel
 * (entered as a multiboot loader would: EAX magic, EBX information). */
enum dom_type { DOM_TYPE_ELF, DOM_TYPE_MULTIBOOT,
	/* An HVM guest on the virtual PC platform that domain 0 builds
	 * (EYRIE_OP_domain_new, EYRIE_TYPE_HVM: a Linux bzImage it loads
	 * itself); not a domain= type. */
	DOM_TYPE_HVM,
	/* A PVH kernel: an ELF with Xen's PHYS32_ENTRY note, entered with EBX =
	 * hvm_start_info; it sees Xen's CPUID leaves and hypercall page. */
	DOM_TYPE_PVH };
#define DOM_CMDLINE_LEN 256
#define DOM_MAX_MODULES 4

struct domain_config {
	char name[DOM_NAME_LEN];
	char image[DOM_IMAGE_LEN];
	uint64_t memory_mib;
	enum dom_boot boot;
	enum dom_type type;
	char initrd[DOM_IMAGE_LEN];   /* "" = none (pvh) */
	char cmdline[DOM_CMDLINE_LEN];/* pvh and multiboot; "" = the default */
	/* multiboot: module=NAME[ STRING], repeated: the boot module NAME,
	 * given with the whole value as its string (as GRUB gives its path
	 * and arguments). */
	char modules[DOM_MAX_MODULES][DOM_IMAGE_LEN];
	unsigned nr_modules;
	/* The virtual PC platform (vmm/plat/vplat.c): always for hvm, on request
	 * (platform=pc) for elf, multiboot and pvh images. */
	bool platform;
	/* Xen's ABI (shared info, event channels, grant tables, Xen's CPUID
	 * leaves and hypercall page): always for pvh; for hvm when domain 0
	 * asks (EYRIE_NEWF_XEN), which also gives Xen's platform PCI device
	 * (Xen's PVHVM: a stock kernel binds its PV drivers there). */
	bool xen;
	/* cpus=LIST: the CPUs its vcpus may be placed on (bit n: CPU n; 0:
	 * any), as xl.cfg's cpus (vmm/load/cpulist.h). */
	uint64_t cpumask;
	/* weight=N (1..65535; 0 stands for the default, 256) and cap=N (percent
	 * of one CPU, 0 = none): the credit scheduler's share and limit of the
	 * domain (vmm/core/run.h, docs/scheduling.md). */
	unsigned weight, cap;
	/* The management domain: domain id 0, may use HYPERVISOR_eyrie_op. */
	bool privileged;
	/* on_reboot=restart: a guest reboot creates the domain again (a new
	 * id); default destroy. */
	bool restart_on_reboot;
	/* Built by domain 0 (EYRIE_OP_domain_new): no image; created paused
	 * and "building" until domain 0 unpauses it; its shutdowns and
	 * crashes are left to domain 0. Not a domain= key. */
	bool managed;
	/* vcpus=N (1..DOM_CFG_MAX_VCPUS; 0 read as 1): vcpu 0 starts, the
	 * others wait (INIT/SIPI on the PC platform, VCPUOP_up for PVH). */
	unsigned vcpus;
};
#define DOM_CFG_MAX_VCPUS 8

/* Parses one domain= value; on error returns -EINVAL and writes a one-line
 * reason into err. */
int domcfg_parse(const char *spec, struct domain_config *cfg, char *err, size_t errlen);

#endif
