test_vuart_SRCS := vmm/plat/vuart.c
