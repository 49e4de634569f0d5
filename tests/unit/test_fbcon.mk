test_fbcon_SRCS := drivers/fbcon.c
