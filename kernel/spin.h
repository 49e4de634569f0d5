/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A short lock beneath the big lock (kernel/smp.h), for state that CPUs
 * reach without the big lock (docs/vmm.md, "Exits without the big lock").
 * Taken with interrupts off; its holder never waits for the big lock or
 * for another CPU (no smp_call, no vmm_sync), so that a CPU holding the
 * big lock and waiting for this CPU cannot wait forever.
 */
#ifndef EYRIE_KERNEL_SPIN_H
#define EYRIE_KERNEL_SPIN_H

#include <stdint.h>

struct spinlock {
	uint32_t held;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

#endif
