# SPDX-License-Identifier: GPL-2.0-only
test_memgap_SRCS := mgmt/memgap.c
