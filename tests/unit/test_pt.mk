test_pt_SRCS := kernel/pt.c
