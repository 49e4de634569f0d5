test_xlcfg_SRCS := mgmt/xlcfg.c
