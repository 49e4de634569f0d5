# SPDX-License-Identifier: GPL-2.0-only
test_bridge_SRCS := mgmt/bridge.c
