/* SPDX-License-Identifier: MIT */
/*
 * The ABI names a frontend writes to its "protocol" node (Xen's public
 * io/protocols.h): which layout its ring entries have. A backend that is
 * told nothing assumes its own native layout.
 */
#ifndef EYRIE_PUBLIC_IO_PROTOCOLS_H
#define EYRIE_PUBLIC_IO_PROTOCOLS_H

#define XEN_IO_PROTO_ABI_X86_32 "x86_32-abi"
#define XEN_IO_PROTO_ABI_X86_64 "x86_64-abi"
#define XEN_IO_PROTO_ABI_ARM    "arm-abi"

#endif
