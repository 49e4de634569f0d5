test_vrtc_SRCS := vmm/plat/vrtc.c kernel/date.c
