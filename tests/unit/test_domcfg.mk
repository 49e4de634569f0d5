test_domcfg_SRCS := vmm/domcfg.c
