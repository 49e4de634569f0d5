test_domcfg_SRCS := vmm/core/domcfg.c
