test_xlcfg_SRCS := mgmt/xlcfg.c mgmt/xlcfg_vif.c
