test_vrtc_SRCS := vmm/vrtc.c kernel/date.c
