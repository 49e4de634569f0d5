# SPDX-License-Identifier: GPL-2.0-only
test_fbcon_SRCS := drivers/fbcon.c
