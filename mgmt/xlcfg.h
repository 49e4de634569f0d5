/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domain configuration files in Xen's xl.cfg syntax (pure: no allocation, no
 * stdio; used by the management domain and by host tests).
 *
 *   # comment                       KEY = VALUE, one a line or ';'-separated
 *   name = "web-1"                  VALUE: "string" or 'string' (escapes
 *   type = 'pvh'                      \" \' \\ \a \b \f \n \r \t \v \xHH \ooo),
 *   memory = 0x200; vcpus = 2         integer (decimal or 0x hex), or a list
 *   disk = [ "phy:/dev/sda,xvda,w",   [ VALUE, ... ] spanning lines, with an
 *            'file:/d.img,xvdb,r', ]  optional trailing comma
 *
 * Keys: name type memory maxmem vcpus kernel ramdisk cmdline extra
 * on_poweroff on_reboot on_crash autostart xen_platform_pci disk vif ioports iomem
 * irqs module
 * (type "pvh", "hvm", or Eyrie's "multiboot": a multiboot kernel, whose
 * module = [ "NAME ARGS", ... ] are boot modules given in order, each
 * with its whole entry as its string)
 * (ioports = [ "2f8-2ff", "402" ], iomem = [ "fed00,1@10000" ]: hex, as
 * xl: port or FIRST-LAST; START,PAGES[@GFN] in 4 KiB frames, GFN =
 * START when not given; irqs = [ 3, 0x20 ]: IRQ numbers, 0-255). Anything else is an
 * error (xl only warns), as is a leading-zero integer (xl reads it as octal).
 * A repeated key replaces the earlier value (as xl); cmdline= beats extra=
 * whatever their order (as xl). Disk and vif entries are kept as written:
 * xlcfg_disk() reads a disk's (xlcfg_check_disks() all of a config's),
 * xlcfg_vif() a vif's (xlcfg_vifs() all of a config's; mgmt/xlcfg_vif.c).
 */
#ifndef EYRIE_MGMT_XLCFG_H
#define EYRIE_MGMT_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The errno values returned (negated); the same numbers as kernel/errno.h
 * and newlib. */
#define XLCFG_EINVAL 22
#define XLCFG_ERANGE 34

#define XLCFG_NAME_LEN    32   /* 1..31 of [A-Za-z0-9_.-] */
#define XLCFG_PATH_LEN    256  /* kernel, ramdisk, each list entry */
#define XLCFG_CMDLINE_LEN 1024
#define XLCFG_LIST_MAX    8
#define XLCFG_MEMORY_MAX  65536 /* MiB */
#define XLCFG_VCPUS_MAX   64

enum xlcfg_type { XLCFG_TYPE_NONE, XLCFG_TYPE_PVH, XLCFG_TYPE_HVM, XLCFG_TYPE_MULTIBOOT };

enum xlcfg_action {
	XLCFG_DESTROY, XLCFG_RESTART, XLCFG_PRESERVE, XLCFG_RENAME_RESTART,
	XLCFG_COREDUMP_DESTROY, XLCFG_COREDUMP_RESTART,
};

struct xlcfg {
	char name[XLCFG_NAME_LEN];
	enum xlcfg_type type;
	uint32_t memory_mib;            /* 0 until set */
	uint32_t maxmem_mib;            /* 0: not given (= memory) */
	uint32_t vcpus;
	uint64_t cpumask;  /* cpus: where its vcpus may run (bit n: CPU n); 0: any */
	uint32_t weight;   /* the credit scheduler's: 1..65535, 0 = not given (256) */
	uint32_t cap;      /* percent of one CPU, 0 = none (at most 100 per vcpu) */
	char kernel[XLCFG_PATH_LEN];
	char ramdisk[XLCFG_PATH_LEN];   /* "" = none */
	char cmdline[XLCFG_CMDLINE_LEN];
	bool cmdline_given;             /* by cmdline=, so extra= is ignored */
	enum xlcfg_action on_poweroff, on_reboot, on_crash;
	bool autostart;
	bool xen_platform_pci;          /* hvm: Xen's ABI and platform device (PV drivers) */
	unsigned ndisk, nvif, nmodule;
	char module[XLCFG_LIST_MAX][XLCFG_PATH_LEN]; /* multiboot: "NAME ARGS" */
	char disk[XLCFG_LIST_MAX][XLCFG_PATH_LEN];  /* raw xl disk specs */
	char vif[XLCFG_LIST_MAX][XLCFG_PATH_LEN];   /* raw xl vif specs */
	unsigned nioports, niomem, nirqs;
	uint32_t irqs[XLCFG_LIST_MAX];
	struct xlcfg_ioports { uint32_t first, last; } ioports[XLCFG_LIST_MAX];
	struct xlcfg_iomem { uint64_t start, pages, gfn; } iomem[XLCFG_LIST_MAX];
};

/* Where and why parsing stopped. line and column are 1-based (column in
 * bytes; 0 when the error is about the file as a whole); both are 0 for
 * xlcfg_set. message reads "line 3: memory: expected an integer, got \"abc\""
 * (no "line" prefix from xlcfg_set/xlcfg_check). */
struct xlcfg_error {
	unsigned line, column;
	char message[96];
};

/* Fills cfg with the defaults: vcpus 1, on_poweroff destroy, on_reboot
 * restart, on_crash destroy, autostart 0, xen_platform_pci 1 (as xl),
 * everything else empty. */
void xlcfg_init(struct xlcfg *cfg);

/* Parses len bytes of text (need not be NUL-terminated; LF or CRLF lines)
 * into *out, defaults first, then checks it as xlcfg_check does. Returns 0,
 * or -XLCFG_EINVAL / -XLCFG_ERANGE with *err naming the first problem; *out
 * is then partly filled and must not be used. */
int xlcfg_parse(const char *text, size_t len, struct xlcfg *out, struct xlcfg_error *err);

/* Sets one key from the console's "create key=value ..." form: value is the
 * bare text (no quotes, no escapes). For disk and vif it appends one entry.
 * On error cfg is unchanged. */
int xlcfg_set(struct xlcfg *cfg, const char *key, const char *value, struct xlcfg_error *err);

/* The checks made once every key is in: name, type, memory and kernel
 * given, maxmem >= memory. */
int xlcfg_check(const struct xlcfg *cfg, struct xlcfg_error *err);

/*
 * One disk spec (an entry of disk = [ ... ]) in xl's syntax
 * (xl-disk-configuration(5)): comma-separated KEY=VALUE parameters, flags
 * and positional ones (target, format, vdev, access, in that order, each
 * at most once, empty = the default); target=... last takes the rest of
 * the spec, commas included. The deprecated form "[PREFIX:]TARGET,VDEV[:
 * DEVTYPE],ACCESS" (phy: file: raw: ...) too. What Eyrie serves: raw
 * images (format raw), disks (no cdrom), domain 0 as the backend; any
 * other format, devtype, backend, backendtype than phy, script or
 * specification than xen is an error saying so, as is an unknown key.
 */
#define XLCFG_VDEV_LEN 16
struct xlcfg_disk {
	char target[XLCFG_PATH_LEN];   /* for mgmt: a boot module, disk or partition */
	char vdev[XLCFG_VDEV_LEN];     /* as written: xvda, d0p1, 51712 */
	uint32_t devid;                /* Xen's number for it (xen-vbd-interface(7)) */
	bool readonly;                 /* access=ro (default rw) */
	bool discard;                  /* discard / no-discard (default discard) */
	bool trusted;                  /* trusted / untrusted (default trusted) */
};
int xlcfg_disk(const char *spec, struct xlcfg_disk *d, struct xlcfg_error *err);

/* Xen's device number of a vdev name: xvd[a-z]+[N] (202 << 8 | disk << 4
 * | part for disks and partitions up to 15, else 1 << 28 | disk << 8 |
 * part), dN[pM] (the same disks), hd[a-d][N] (3 << 8 / 22 << 8, parts up
 * to 63), sd[a-p][N] (8 << 8, parts up to 15), or a plain number (decimal,
 * 0x hex, 0 octal). 0 and *devid, or -XLCFG_EINVAL. */
int xlcfg_vdev(const char *name, uint32_t *devid);

/* xlcfg_disk() of every disk of cfg, and no two with the same device. */
int xlcfg_check_disks(const struct xlcfg *cfg, struct xlcfg_error *err);

/*
 * One vif spec (an entry of vif = [ ... ]) in xl's syntax
 * (xl-network-configuration(5)): comma-separated KEY=VALUE parameters and
 * flags, blanks around each ignored; '' is a vif with every default.
 *   mac=00:16:3e:xx:xx:xx  the guest's MAC (not multicast, not zero);
 *                          default: derived from the domain's name
 *   bridge=NAME            default xenbr0 (1..15 of [A-Za-z0-9_.-])
 *   vifname=NAME           the bridge port's name (default vifDOMID.DEVID)
 *   devid=N                0..1023; default: its index in the list
 *   ip=ADDRS               kept in the store; not enforced
 *   type=ioemu|vif, model=NAME: accepted; the guest gets the PV device only
 *   script=vif-bridge      (or a path to it); any other script is refused
 *   backend=0|Domain-0, mtu=1500, trusted, untrusted
 *   antispoof=yes|no       Eyrie's: the guest's frames must come from its
 *                          MAC (default yes, as vif-bridge with antispoof)
 * Refused with the reason: rate, vlan, gatewaydev/netdev (vif-route),
 * another backend, another MTU, unknown keys.
 */
struct xlcfg_vif {
	uint8_t mac[6];
	bool mac_given;
	char bridge[16];
	char vifname[16];              /* "" = default */
	char ip[64];                   /* "" = none */
	int32_t devid;                 /* -1: not given */
	bool antispoof;
	bool trusted;
};
int xlcfg_vif(const char *spec, struct xlcfg_vif *v, struct xlcfg_error *err);

/* xlcfg_vif() of every vif of cfg into v[0..cfg->nvif), each one's devid
 * set (given, else its index), no two with the same devid or given MAC. */
int xlcfg_vifs(const struct xlcfg *cfg, struct xlcfg_vif *v, struct xlcfg_error *err);

/* The MAC a vif with devid of domain `name` gets when its spec gives none
 * (tries > 0: the tries-th other choice, after a collision): Xen's OUI
 * 00:16:3e and three bytes of a hash of both, the top bit of the fourth
 * byte clear (as xl's random ones). The same name gives the same MAC. */
void xlcfg_vif_mac(const char *name, uint32_t devid, unsigned tries, uint8_t mac[6]);

/* "destroy", "restart", ... as written in a config file; "?" if unknown. */
const char *xlcfg_action_name(enum xlcfg_action a);

#endif
