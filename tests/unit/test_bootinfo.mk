test_bootinfo_SRCS := boot/bootinfo.c
