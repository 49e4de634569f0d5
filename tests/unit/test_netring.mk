# SPDX-License-Identifier: GPL-2.0-only
test_netring_SRCS := mgmt/netring.c
