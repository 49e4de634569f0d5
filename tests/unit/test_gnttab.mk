test_gnttab_SRCS := kernel/gnttab.c
