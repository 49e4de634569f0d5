# SPDX-License-Identifier: GPL-2.0-only
test_store_watch_SRCS := mgmt/store.c mgmt/store_tree.c mgmt/store_conn.c mgmt/store_tx.c \
        mgmt/store_ops.c mgmt/store_wire.c tests/unit/store_harness.c
