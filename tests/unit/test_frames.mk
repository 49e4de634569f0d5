# SPDX-License-Identifier: GPL-2.0-only
test_frames_SRCS := kernel/frames.c
