test_date_SRCS := kernel/date.c
