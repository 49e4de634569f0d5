# SPDX-License-Identifier: GPL-2.0-only
test_vuart_SRCS := vmm/plat/vuart.c
