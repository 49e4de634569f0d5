/*
 * The guest-visible hypercall ABI: Xen's public numbering and layouts
 * (xen/include/public/xen.h, sched.h, version.h), written here as our own
 * definitions. Shared by the hypervisor and guests.
 */
#ifndef EYRIE_PUBLIC_XEN_H
#define EYRIE_PUBLIC_XEN_H

#include <stdint.h>

/* Hypercall numbers (EAX/RAX). */
#define HYPERVISOR_set_timer_op   15
#define HYPERVISOR_xen_version    17
#define HYPERVISOR_console_io     18
#define HYPERVISOR_sched_op       29
#define HYPERVISOR_hvm_op         34
#define HYPERVISOR_NR             64 /* numbers at or above are unknown */

/* xen_version commands. */
#define XENVER_version 0 /* returns (major << 16) | minor */

/* console_io commands. */
#define CONSOLEIO_write 0

/* sched_op commands. */
#define SCHEDOP_yield    0
#define SCHEDOP_block    1
#define SCHEDOP_shutdown 2

/* struct sched_shutdown { uint32_t reason; } */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot   1
#define SHUTDOWN_suspend  2
#define SHUTDOWN_crash    3
#define SHUTDOWN_watchdog 4

#define DOMID_SELF 0x7ff0

/* Hypercall errors are negative errno values (Linux/Xen numbering). */

#endif
