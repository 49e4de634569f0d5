test_vuart_SRCS := vmm/vuart.c
