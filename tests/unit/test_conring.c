/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PV console ring: both sides of both rings. Empty and full rings, partial
 * takes and puts, copies that wrap the end of the ring while the 32-bit
 * indices wrap past UINT32_MAX, every way a peer can break an index it
 * owns (too far ahead, behind), and streams passed through each ring in
 * odd-sized pieces. Output buffers are malloc'd at the size passed, so
 * ASan catches any write past max.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mgmt/conring.h"

#define IN_SIZE  ((uint32_t)sizeof(((struct xencons_interface *)0)->in))
#define OUT_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->out))

static struct xencons_interface ring;

static void ring_reset(void)
{
	memset(&ring, 0, sizeof(ring));
}

/* Byte i of a test stream: not periodic in either ring size. */
static char pat(uint32_t i)
{
	return (char)(i * 7u + i / 251u + 1u);
}

/* As the guest would: write n pattern bytes at out_prod and publish them. */
static void guest_emit(uint32_t from, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		ring.out[MASK_XENCONS_IDX(ring.out_prod + i, ring.out)] = pat(from + i);
	ring.out_prod += n;
}

static void check_pat(const char *buf, uint32_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal((unsigned char)buf[i],
				(unsigned char)pat(from + (uint32_t)i));
}

static void test_empty(void **state)
{
	char *buf = malloc(16);

	ring_reset();
	assert_int_equal(conring_take_out(&ring, buf, 16), 0);
	assert_int_equal(conring_take_in(&ring, buf, 16), 0);
	assert_int_equal(conring_take_out(&ring, NULL, 0), 0);
	assert_int_equal(conring_put_in(&ring, NULL, 0), 0);
	assert_int_equal(conring_put_out(&ring, NULL, 0), 0);
	assert_int_equal(ring.out_cons, 0);
	assert_int_equal(ring.in_cons, 0);
	assert_int_equal(ring.in_prod, 0);
	assert_int_equal(ring.out_prod, 0);

	/* Empty at any index, wrapped or not. */
	ring.out_cons = ring.out_prod = UINT32_MAX;
	ring.in_cons = ring.in_prod = 0x80000000u;
	assert_int_equal(conring_take_out(&ring, buf, 16), 0);
	assert_int_equal(conring_take_in(&ring, buf, 16), 0);
	assert_int_equal(ring.out_cons, UINT32_MAX);
	assert_int_equal(ring.in_cons, 0x80000000u);
	free(buf);
}

static void test_take_simple(void **state)
{
	char *buf = malloc(64);

	ring_reset();
	memcpy(ring.out, "hello", 5);
	ring.out_prod = 5;
	assert_int_equal(conring_take_out(&ring, buf, 64), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(ring.out_cons, 5);
	assert_int_equal(ring.out_prod, 5);
	assert_int_equal(conring_take_out(&ring, buf, 64), 0);
	assert_int_equal(ring.out_cons, 5);
	/* The other ring is untouched. */
	assert_int_equal(ring.in_cons, 0);
	assert_int_equal(ring.in_prod, 0);
	free(buf);
}

/* Data across the end of out[] while out_prod wraps past UINT32_MAX. */
static void test_take_wrap(void **state)
{
	char *buf = malloc(10);

	ring_reset();
	ring.out_cons = ring.out_prod = UINT32_MAX - 2; /* slot 2045 */
	guest_emit(0, 10);
	assert_int_equal(ring.out_prod, 7);
	assert_int_equal(conring_take_out(&ring, buf, 10), 10);
	check_pat(buf, 0, 10);
	assert_int_equal(ring.out_cons, 7);

	/* A full ring (prod - cons == 2048 exactly) is fine, across the wrap. */
	free(buf);
	buf = malloc(OUT_SIZE);
	ring.out_cons = ring.out_prod = UINT32_MAX - 99;
	guest_emit(1000, OUT_SIZE);
	assert_int_equal(ring.out_prod - ring.out_cons, OUT_SIZE);
	assert_int_equal(conring_take_out(&ring, buf, OUT_SIZE), OUT_SIZE);
	check_pat(buf, 1000, OUT_SIZE);
	assert_int_equal(ring.out_cons, ring.out_prod);
	free(buf);
}

static void test_take_partial(void **state)
{
	char *buf = malloc(30);
	char *big = malloc(100);

	ring_reset();
	ring.out_cons = ring.out_prod = 2030; /* wraps the array end on the way */
	guest_emit(0, 100);
	assert_int_equal(conring_take_out(&ring, buf, 30), 30);
	check_pat(buf, 0, 30);
	assert_int_equal(ring.out_cons, 2060);
	assert_int_equal(conring_take_out(&ring, big, 100), 70);
	check_pat(big, 30, 70);
	assert_int_equal(ring.out_cons, 2130);
	assert_int_equal(conring_take_out(&ring, buf, 1), 0);
	free(buf);
	free(big);
}

static void test_put_in_full(void **state)
{
	char c = 'x';

	ring_reset();
	ring.in_cons = 5;
	ring.in_prod = 5 + IN_SIZE;
	assert_int_equal(conring_put_in(&ring, &c, 1), 0);
	assert_int_equal(ring.in_prod, 5 + IN_SIZE);

	/* Full across the 32-bit wrap. */
	ring.in_cons = UINT32_MAX - 10;
	ring.in_prod = ring.in_cons + IN_SIZE;
	assert_int_equal(conring_put_in(&ring, &c, 1), 0);
	assert_int_equal(ring.in_prod, (uint32_t)(UINT32_MAX - 10 + IN_SIZE));

	/* The guest's out ring too. */
	ring.out_cons = 0xfffff000u;
	ring.out_prod = ring.out_cons + OUT_SIZE;
	assert_int_equal(conring_put_out(&ring, &c, 1), 0);
	assert_int_equal(ring.out_prod, 0xfffff000u + OUT_SIZE);
}

static void test_put_partial(void **state)
{
	char src[100];
	char *buf = malloc(IN_SIZE);
	uint32_t start = UINT32_MAX - 20; /* slot 1003: the copy wraps */

	for (uint32_t i = 0; i < sizeof(src); i++)
		src[i] = pat(i);
	ring_reset();
	memset(ring.in, '#', IN_SIZE);
	ring.in_cons = start;
	ring.in_prod = start + 1000;
	assert_int_equal(conring_put_in(&ring, src, sizeof(src)), 24);
	assert_int_equal(ring.in_prod, start + IN_SIZE);
	for (uint32_t i = 0; i < 24; i++)
		assert_int_equal(ring.in[MASK_XENCONS_IDX(start + 1000 + i, ring.in)],
				pat(i));
	/* The unread 1000 bytes were not overwritten. */
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(ring.in[MASK_XENCONS_IDX(start + i, ring.in)], '#');
	assert_int_equal(conring_put_in(&ring, src, sizeof(src)), 0);

	/* The guest reads it all; the newest 24 bytes come last. */
	assert_int_equal(conring_take_in(&ring, buf, IN_SIZE), IN_SIZE);
	assert_int_equal(ring.in_cons, start + IN_SIZE);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(buf[i], '#');
	check_pat(buf + 1000, 0, 24);
	free(buf);
}

/* The guest moves out_prod 2049 ahead of, or behind, out_cons. */
static void test_hostile_out_prod(void **state)
{
	static const uint32_t conses[] = { 0, 100, 2040, UINT32_MAX - 3 };
	static const uint32_t deltas[] = {
		OUT_SIZE + 1, OUT_SIZE + 1000, UINT32_MAX, 0x80000000u,
		0xfffff800u, /* prod 2048 behind cons */
	};
	char *buf = malloc(OUT_SIZE);

	for (size_t i = 0; i < sizeof(conses) / sizeof(conses[0]); i++) {
		for (size_t j = 0; j < sizeof(deltas) / sizeof(deltas[0]); j++) {
			ring_reset();
			memset(buf, 'k', OUT_SIZE);
			ring.out_cons = conses[i];
			ring.out_prod = conses[i] + deltas[j];
			assert_int_equal(conring_take_out(&ring, buf, OUT_SIZE),
					CONRING_BROKEN);
			assert_int_equal(conring_take_out(&ring, buf, 0), -1);
			assert_int_equal(ring.out_cons, conses[i]);
			assert_int_equal(ring.out_prod, conses[i] + deltas[j]);
			for (size_t k = 0; k < OUT_SIZE; k++)
				assert_int_equal(buf[k], 'k');
		}
	}
	free(buf);
}

/* The backend moves out_cons so that the guest's out_prod looks wrong. */
static void test_hostile_out_cons(void **state)
{
	char c = 'x';

	ring_reset();
	ring.out_prod = 50;
	ring.out_cons = 51; /* prod behind cons */
	assert_int_equal(conring_put_out(&ring, &c, 1), -1);
	assert_int_equal(ring.out_prod, 50);
	ring.out_cons = 50 - (OUT_SIZE + 1);
	assert_int_equal(conring_put_out(&ring, &c, 1), -1);
	assert_int_equal(ring.out_prod, 50);
	ring.out_cons = 50 - OUT_SIZE; /* merely full */
	assert_int_equal(conring_put_out(&ring, &c, 1), 0);
	assert_int_equal(ring.out_prod, 50);
}

/* Both sides of in[]: guest's in_cons, backend's in_prod out of range. */
static void test_hostile_in(void **state)
{
	static const uint32_t bases[] = { 0, 1000, UINT32_MAX };
	static const uint32_t deltas[] = { IN_SIZE + 1, UINT32_MAX, 0x80000000u };
	char src[8] = "abcdefg";
	char *buf = malloc(IN_SIZE);

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		for (size_t j = 0; j < sizeof(deltas) / sizeof(deltas[0]); j++) {
			uint32_t prod = bases[i] + deltas[j];

			/* Backend put_in: the guest owns in_cons. */
			ring_reset();
			memset(ring.in, '.', IN_SIZE);
			ring.in_cons = bases[i];
			ring.in_prod = prod;
			assert_int_equal(conring_put_in(&ring, src, sizeof(src)), -1);
			assert_int_equal(ring.in_prod, prod);
			assert_int_equal(ring.in_cons, bases[i]);
			for (size_t k = 0; k < IN_SIZE; k++)
				assert_int_equal(ring.in[k], '.');

			/* Frontend take_in: the backend owns in_prod. */
			memset(buf, 'k', IN_SIZE);
			assert_int_equal(conring_take_in(&ring, buf, IN_SIZE), -1);
			assert_int_equal(ring.in_cons, bases[i]);
			assert_int_equal(ring.in_prod, prod);
			for (size_t k = 0; k < IN_SIZE; k++)
				assert_int_equal(buf[k], 'k');
		}
	}
	free(buf);
}

typedef int (*put_fn)(struct xencons_interface *, const char *, size_t);
typedef int (*take_fn)(struct xencons_interface *, char *, size_t);

/*
 * Pass a stream of total bytes through one ring in pieces whose sizes
 * cycle through awkward values, starting just below the 32-bit wrap, and
 * check it arrives whole and in order.
 */
static void stream(put_fn put, take_fn take, uint32_t *cons, uint32_t *prod,
		size_t size, size_t total)
{
	static const size_t puts[] = { 1, 7, 300, 2049, 13, 1024, 999 };
	static const size_t takes[] = { 5, 1, 2048, 17, 640, 3 };
	char *src = malloc(total);
	char *dst = malloc(total);
	size_t sent = 0, got = 0, step = 0;

	for (size_t i = 0; i < total; i++)
		src[i] = pat((uint32_t)i);
	ring_reset();
	*cons = *prod = UINT32_MAX - 700;
	while (got < total) {
		size_t want = puts[step % 7];
		size_t max = takes[step % 6];
		int n;

		if (want > total - sent)
			want = total - sent;
		n = put(&ring, src + sent, want);
		assert_in_range(n, 0, want);
		sent += (size_t)n;
		assert_true(*prod - *cons <= size);
		if (max > total - got)
			max = total - got;
		n = take(&ring, dst + got, max);
		assert_in_range(n, 0, max);
		got += (size_t)n;
		assert_int_equal(*prod - *cons, sent - got);
		step++;
	}
	assert_int_equal(sent, total);
	assert_memory_equal(src, dst, total);
	free(src);
	free(dst);
}

static void test_roundtrip_out(void **state)
{
	stream(conring_put_out, conring_take_out, &ring.out_cons, &ring.out_prod,
			OUT_SIZE, 100000);
	assert_int_equal(ring.in_cons, 0);
	assert_int_equal(ring.in_prod, 0);
}

static void test_roundtrip_in(void **state)
{
	stream(conring_put_in, conring_take_in, &ring.in_cons, &ring.in_prod,
			IN_SIZE, 100000);
	assert_int_equal(ring.out_cons, 0);
	assert_int_equal(ring.out_prod, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_take_simple),
		cmocka_unit_test(test_take_wrap),
		cmocka_unit_test(test_take_partial),
		cmocka_unit_test(test_put_in_full),
		cmocka_unit_test(test_put_partial),
		cmocka_unit_test(test_hostile_out_prod),
		cmocka_unit_test(test_hostile_out_cons),
		cmocka_unit_test(test_hostile_in),
		cmocka_unit_test(test_roundtrip_out),
		cmocka_unit_test(test_roundtrip_in),
	};
	return cmocka_run_group_tests_name("conring", tests, NULL, NULL);
}
