# SPDX-License-Identifier: GPL-2.0-only
test_xsring_SRCS := mgmt/xsring.c mgmt/store.c mgmt/store_tree.c mgmt/store_conn.c \
        mgmt/store_tx.c mgmt/store_ops.c mgmt/store_wire.c
