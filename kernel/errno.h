/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Error numbers: functions return 0 or a negative E* value. The numbers are
 * Linux's/Xen's, since the guest ABI returns them to guests unchanged.
 */
#ifndef EYRIE_KERNEL_ERRNO_H
#define EYRIE_KERNEL_ERRNO_H

#define EPERM    1
#define ENOENT   2
#define EIO      5
#define E2BIG    7
#define ENOEXEC  8
#define EAGAIN  11
#define ENOMEM  12
#define EACCES  13
#define EFAULT  14
#define EBUSY   16
#define EEXIST  17
#define ENODEV  19
#define EINVAL  22
#define ESRCH    3
#define ENOSPC  28
#define ERANGE  34
#define ENOSYS  38
#define ENODATA 61
#define ETIME   62
#define EBADMSG 74
#define EOPNOTSUPP 95
/* Not for guests: a hypercall did part of its work and runs again
 * (vmm/xen/hypercall.c). */
#define ERESTART 85

#endif
