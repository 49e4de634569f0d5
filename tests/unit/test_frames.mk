test_frames_SRCS := kernel/frames.c
