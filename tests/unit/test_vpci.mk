test_vpci_SRCS := vmm/vpci.c
