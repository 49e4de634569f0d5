/*
 * Link test for newlib in the management domain; not part of any build.
 * Uses printf/snprintf, malloc/free, strtol and qsort, with the stubs in
 * mgmt/syscalls_stub.c.  The same _start works as a freestanding entry and
 * as a static Linux binary's entry (it ignores argc/argv and uses its own
 * stack).  See tools/newlib.sh and mgmt/newlib.mk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char smoke_stack[64 * 1024] __attribute__((aligned(16)));

__asm__(".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	lea smoke_stack+65536(%rip), %rsp\n"
	"	xor %ebp, %ebp\n"
	"	call smoke_main\n"
	"	mov %eax, %edi\n"
	"	call exit\n"
	"	ud2\n"
	".size _start, .-_start\n");

int smoke_main(void) __attribute__((used));

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int smoke_main(void)
{
	static const char *in[] = { "42", "-7", "0x1f", "1000000", "3" };
	size_t n = sizeof(in) / sizeof(in[0]);
	long *v = malloc(n * sizeof(*v));
	char buf[64];

	if (!v) {
		printf("malloc failed\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = strtol(in[i], NULL, 0);
	qsort(v, n, sizeof(*v), cmp_long);
	printf("sorted:");
	for (size_t i = 0; i < n; i++)
		printf(" %ld", v[i]);
	printf("\n");
	free(v);

	int len = snprintf(buf, sizeof(buf), "%s|%5d|%-4x|%zu|%lld|%.3f",
			   "snprintf", 42, 0xbeef, sizeof(long),
			   (long long)-1234567890123, 3.14159);
	printf("%s (len %d)\n", buf, len);

	char *big = malloc(200000); /* exercises sbrk growth */
	if (!big)
		return 2;
	memset(big, 'x', 200000);
	free(big);
	printf("newlib smoke OK\n");
	return 0;
}
