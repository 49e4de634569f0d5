test_vpci_SRCS := vmm/plat/vpci.c
