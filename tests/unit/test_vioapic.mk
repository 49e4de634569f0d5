test_vioapic_SRCS := vmm/plat/vioapic.c
