# SPDX-License-Identifier: GPL-2.0-only
test_gpt_SRCS := mgmt/gpt.c
