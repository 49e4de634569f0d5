test_evtchn_SRCS := kernel/evtchn.c
