# SPDX-License-Identifier: GPL-2.0-only
test_conring_SRCS := mgmt/conring.c
