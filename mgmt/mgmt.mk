# SPDX-License-Identifier: GPL-2.0-only
# The management domain (mgmt/, docs/mgmt.md): a 64-bit PVH program linked
# with newlib (mgmt/newlib.mk builds it from Debian's newlib-source).
#   build/mgmt/mgmt.elf    boot it as domain=name=mgmt,type=pvh,image=mgmt.elf,...,privileged=1

MGMT_OUT  := $(BUILD)/mgmt
MGMT_ELF  := $(MGMT_OUT)/mgmt.elf
MGMT_SRCS := mgmt/entry.S mgmt/sys.c mgmt/main.c mgmt/xlcfg.c mgmt/xlcfg_vif.c mgmt/dom.c mgmt/linux_boot.c mgmt/conring.c \
        mgmt/store.c mgmt/store_tree.c mgmt/store_conn.c mgmt/store_tx.c mgmt/store_ops.c \
        mgmt/store_wire.c mgmt/xsring.c mgmt/xs.c \
        mgmt/dma.c mgmt/memgap.c mgmt/pci.c mgmt/blkdev.c mgmt/blksplit.c mgmt/virtio_pci.c \
        mgmt/virtio_blk.c mgmt/nvme.c mgmt/diskcmd.c \
        mgmt/netdev.c mgmt/virtio_net.c mgmt/e1000.c mgmt/netdiag.c mgmt/netcmd.c mgmt/schedcmd.c \
        mgmt/netpkt.c mgmt/ipstack.c mgmt/hostports.c \
        mgmt/blkring.c mgmt/blkstore.c mgmt/blkstore_disk.c mgmt/gpt.c mgmt/blkback.c mgmt/blkdata.c \
        mgmt/netring.c mgmt/netqueue.c mgmt/bridge.c mgmt/netback.c mgmt/netback_io.c mgmt/netback_cmd.c
# The pure loader code the hypervisor also uses (built here against newlib):
# mgmt/linux_boot.c is mgmt's alone, it places with vmm/load/gplace.c.
MGMT_SHARED := vmm/load/pvh_guest.c vmm/load/mb1_guest.c vmm/load/gplace.c vmm/load/cpulist.c \
        kernel/elf.c
MGMT_OBJS := $(patsubst mgmt/%,$(MGMT_OUT)/%.o,$(MGMT_SRCS)) \
        $(patsubst %,$(MGMT_OUT)/shared/%.o,$(MGMT_SHARED))
MGMT_CFLAGS := -std=c11 -m64 -O2 -g -Wall -Wextra -Wno-unused-parameter $(WERROR) \
        $(NEWLIB_CFLAGS) -I. -fno-asynchronous-unwind-tables -MMD -MP

.PHONY: mgmt
mgmt: $(MGMT_ELF)
all: mgmt

$(MGMT_OUT)/%.c.o: mgmt/%.c | $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MGMT_CFLAGS) -c $< -o $@
$(MGMT_OUT)/shared/%.c.o: %.c | $(NEWLIB_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MGMT_CFLAGS) -c $< -o $@
$(MGMT_OUT)/%.S.o: mgmt/%.S
	@mkdir -p $(dir $@)
	$(CC) -m64 -D__ASSEMBLY__ -c $< -o $@

$(MGMT_ELF): $(MGMT_OBJS) mgmt/mgmt.ld $(NEWLIB_STAMP)
	$(CC) -m64 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-z max-page-size=0x1000 -T mgmt/mgmt.ld -o $@ $(MGMT_OBJS) $(NEWLIB_LIBS)
