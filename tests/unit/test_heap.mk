# SPDX-License-Identifier: GPL-2.0-only
test_heap_SRCS := kernel/heap.c
