test_pvh_guest_SRCS := vmm/pvh_guest.c vmm/gplace.c boot/elf.c
