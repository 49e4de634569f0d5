/* SPDX-License-Identifier: GPL-2.0-only */
/* CRC-32 (ISO-HDLC, as zlib and Python's zlib.crc32). Pure. */
#ifndef EYRIE_KERNEL_CRC32_H
#define EYRIE_KERNEL_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32(uint32_t crc, const void *data, size_t len);

#endif
