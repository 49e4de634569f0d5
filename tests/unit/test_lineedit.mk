test_lineedit_SRCS := kernel/lineedit.c
