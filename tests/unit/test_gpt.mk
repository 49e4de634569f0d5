test_gpt_SRCS := mgmt/gpt.c
