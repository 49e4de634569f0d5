test_mb1_guest_SRCS := vmm/mb1_guest.c vmm/gplace.c boot/elf.c
