test_linux_boot_SRCS := vmm/linux_boot.c
