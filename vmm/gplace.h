/*
 * Guest memory map and placement (pure, host-tested): the E820-style map
 * Eyrie gives an HVM guest, and the helper (gplace_*) the loaders use to
 * find free guest RAM for what they place. Used by the hypervisor's
 * multiboot and PVH loaders (mb1_guest.c, pvh_guest.c) and by the
 * management domain, which also plans Linux bzImages with it
 * (mgmt/linux_boot.c). See docs/hvm-loaders.md.
 */
#ifndef EYRIE_VMM_GPLACE_H
#define EYRIE_VMM_GPLACE_H

#include <stddef.h>
#include <stdint.h>

/* E820 range types (ACPI address range types, as Linux and multiboot use). */
#define E820_RAM      1u
#define E820_RESERVED 2u
#define E820_ACPI     3u
#define E820_NVS      4u
#define E820_UNUSABLE 5u

#define E820_MAX_ENTRIES 128u /* what boot_params.e820_table holds */

struct e820_entry {
	uint64_t base, size;
	uint32_t type;
};

/* The memory map Eyrie's loaders give a guest of ram bytes: RAM below
 * 0x9FC00, the legacy hole (BIOS area, ACPI tables) reserved, RAM from
 * 1 MiB; RAM's last top_pages pages reserved (a PVH guest's console
 * and store pages). Returns the number of entries (at most 4). */
unsigned e820_guest_map(uint64_t ram, unsigned top_pages, struct e820_entry map[4]);

struct grange {
	uint64_t base, size;
	const char *what; /* "kernel", "initrd", ... for error messages */
};

#define GPLACE_MAX_USED 96u

/*
 * Free guest RAM: inside one E820_RAM entry, below ram_end and limit, not
 * in any other-typed entry, and not yet used. Entries must not need
 * merging: a range spanning two adjacent RAM entries is not found.
 */
struct gplace {
	const struct e820_entry *map;
	unsigned n;
	uint64_t ram_end; /* guest RAM size: nothing is placed at or above it */
	uint64_t limit;   /* nor at or above this (4 GiB for both loaders) */
	unsigned nr_used;
	struct grange used[GPLACE_MAX_USED];
};

/* Starts a placement over map[0..n). Returns -EINVAL (with err) for an
 * empty or oversized map, a zero-sized entry or one that wraps. */
int gplace_init(struct gplace *g, const struct e820_entry *map, unsigned n,
		uint64_t ram_end, char *err, size_t errlen);

/* Is [base, base + size) free guest RAM? */
int gplace_is_free(const struct gplace *g, uint64_t base, uint64_t size);

/* Records [base, base + size) as used; returns -ENOSPC if it is not free
 * (or the table is full), 0 otherwise. */
int gplace_claim(struct gplace *g, uint64_t base, uint64_t size, const char *what);

/* Lowest (gplace_low) or highest (gplace_high) free, align-aligned
 * (a power of two) range of size bytes within [min, max); claims it and
 * stores its base. Returns -ENOSPC when there is none. */
int gplace_low(struct gplace *g, uint64_t size, uint64_t align, uint64_t min,
	       uint64_t max, const char *what, uint64_t *base);
int gplace_high(struct gplace *g, uint64_t size, uint64_t align, uint64_t min,
		uint64_t max, const char *what, uint64_t *base);

#endif
