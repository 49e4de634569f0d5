/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the test guests know of the guest-visible ABI: the hypercalls come
 * from include/public/ (shared with the hypervisor); Eyrie's CPUID leaves,
 * its xen_version and the MSR indexes the tests touch are written here.
 */
#ifndef GUEST_ABI_H
#define GUEST_ABI_H

#include <stdint.h>

#include "include/public/hvm.h"
#include "include/public/xen.h"

/* Hypercall numbers, commands and layouts: include/public/. Only what
 * the public headers do not (yet) define is added here. */
#define CONSOLEIO_read 1
/* CALLBACK_IRQ value delivering events as vector v. */
#define HVM_CALLBACK_VECTOR(v) ((HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | (v))

/* xen_version(XENVER_version) of Eyrie: 4.17. */
#define EYRIE_XEN_VERSION ((4u << 16) | 17u)

#define EPERM 1
#define ENOENT 2
#define ENOSYS 38
#define EFAULT 14
#define EINVAL 22

/* Eyrie's CPUID leaves. */
#define CPUID_HV_BASE   0x40000000u /* EAX max leaf, EBX:ECX:EDX "EyrieEyrieHV" */
#define CPUID_HV_VER    0x40000001u /* EAX = 1 */
#define CPUID_HV_TSC    0x40000010u /* EAX = TSC kHz */
#define CPUID_HV_MAX    0x40000010u
#define EYRIE_SIGNATURE "EyrieEyrieHV"

/* MSRs. */
#define MSR_TSC            0x00000010u
#define MSR_APIC_BASE      0x0000001bu
#define MSR_FEATURE_CONTROL 0x0000003au
#define MSR_MTRRCAP        0x000000feu
#define MSR_SYSENTER_CS    0x00000174u
#define MSR_SYSENTER_ESP   0x00000175u
#define MSR_SYSENTER_EIP   0x00000176u
#define MSR_PAT            0x00000277u
#define MSR_VMX_BASIC      0x00000480u
#define MSR_EFER           0xc0000080u
#define MSR_STAR           0xc0000081u
#define MSR_LSTAR          0xc0000082u
#define MSR_CSTAR          0xc0000083u
#define MSR_SFMASK         0xc0000084u
#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_VM_CR          0xc0010114u
#define MSR_VM_HSAVE_PA    0xc0010117u

#define EFER_SCE   (1ull << 0)
#define EFER_LME   (1ull << 8)
#define EFER_LMA   (1ull << 10)
#define EFER_NXE   (1ull << 11)
#define EFER_SVME  (1ull << 12)
#define EFER_LMSLE (1ull << 13)
#define EFER_FFXSR (1ull << 14)

#define APIC_BASE_BSP 0xfee00900ull
#define PAT_DEFAULT   0x0007040600070406ull

/* Exception vectors. */
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14

#endif
