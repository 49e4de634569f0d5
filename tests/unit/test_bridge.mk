test_bridge_SRCS := mgmt/bridge.c
