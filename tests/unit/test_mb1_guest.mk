test_mb1_guest_SRCS := vmm/mb1_guest.c vmm/linux_boot.c boot/elf.c
