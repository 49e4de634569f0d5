test_pvh_guest_SRCS := vmm/pvh_guest.c vmm/linux_boot.c boot/elf.c
