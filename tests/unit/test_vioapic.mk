test_vioapic_SRCS := vmm/vioapic.c
