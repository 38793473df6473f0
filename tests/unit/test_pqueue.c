/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pqueue.c - the reorder queue: order, wrap-around, duplicates, bounds. */
#include <errno.h>

#include "pqueue.h"
#include "test.h"

static int ins(struct pqueue *q, uint32_t seq, uint64_t arrival)
{
	uint8_t data[4] = { (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq };
	return pqueue_insert(q, seq, data, sizeof data, arrival);
}

/* The links agree both ways and the count matches. */
static void check_links(const struct pqueue *q)
{
	size_t n = 0;
	const struct pqueue_entry *prev = NULL;
	for (const struct pqueue_entry *e = q->head; e; e = e->next) {
		CHECK(e->prev == prev);
		prev = e;
		n++;
	}
	CHECK(q->tail == prev);
	CHECK_UINT(n, q->count);
}

/* Pop everything, checking the order and each payload. */
static void check_pops(struct pqueue *q, const uint32_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct pqueue_entry *e = pqueue_head(q);
		if (!e) {
			CHECK_UINT(i, n);
			return;
		}
		CHECK_UINT(e->seq, want[i]);
		CHECK_UINT(e->len, 4);
		CHECK_UINT((uint32_t)e->data[0] << 24 | (uint32_t)e->data[1] << 16 |
			   (uint32_t)e->data[2] << 8 | e->data[3], want[i]);
		pqueue_pop(q);
		check_links(q);
	}
	CHECK(pqueue_head(q) == NULL);
	CHECK_UINT(pqueue_count(q), 0);
}

static void orders_by_sequence(void)
{
	struct pqueue q;
	pqueue_init(&q, 16, 100);
	const uint32_t in[] = { 5, 3, 4, 1, 7, 2, 6 };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		CHECK_INT(ins(&q, in[i], 100 + i), 0);
		check_links(&q);
	}
	CHECK_UINT(pqueue_count(&q), 7);
	const uint32_t want[] = { 1, 2, 3, 4, 5, 6, 7 };
	check_pops(&q, want, 7);
}

static void wraps_at_2_32(void)
{
	struct pqueue q;
	pqueue_init(&q, 16, 100);
	const uint32_t in[] = { 1, 0xfffffffe, 0, 0xffffffff, 0xfffffff0, 2 };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		CHECK_INT(ins(&q, in[i], 1), 0);
	const uint32_t want[] = { 0xfffffff0, 0xfffffffe, 0xffffffff, 0, 1, 2 };
	check_pops(&q, want, 6);
}

static void duplicates_rejected(void)
{
	struct pqueue q;
	pqueue_init(&q, 16, 100);
	CHECK_INT(ins(&q, 10, 1), 0);
	CHECK_INT(ins(&q, 20, 1), 0);
	CHECK_INT(ins(&q, 30, 1), 0);
	/* At the head, in the middle (found walking from the tail), at the tail. */
	CHECK_INT(ins(&q, 10, 2), -EEXIST);
	CHECK_INT(ins(&q, 20, 2), -EEXIST);
	CHECK_INT(ins(&q, 30, 2), -EEXIST);
	CHECK_UINT(pqueue_count(&q), 3);
	check_links(&q);
	const uint32_t want[] = { 10, 20, 30 };
	check_pops(&q, want, 3);
}

static void bounded(void)
{
	struct pqueue q;
	uint8_t big[101] = { 0 };
	pqueue_init(&q, 3, 100);
	CHECK_INT(pqueue_insert(&q, 1, big, 101, 1), -EMSGSIZE);
	CHECK_INT(pqueue_insert(&q, 1, big, 100, 1), 0);
	CHECK_INT(pqueue_insert(&q, 2, NULL, 0, 1), 0);	/* empty payloads are fine */
	CHECK_INT(ins(&q, 3, 1), 0);
	CHECK_INT(ins(&q, 4, 1), -ENOSPC);
	CHECK_INT(ins(&q, 0, 1), -ENOSPC);
	/* A duplicate is reported as such even when full. */
	CHECK_INT(ins(&q, 2, 1), -EEXIST);
	CHECK_UINT(pqueue_count(&q), 3);
	CHECK_UINT(pqueue_head(&q)->len, 100);
	pqueue_pop(&q);
	CHECK_UINT(pqueue_head(&q)->len, 0);
	CHECK_INT(ins(&q, 4, 1), 0);
	CHECK_UINT(pqueue_count(&q), 3);
	pqueue_clear(&q);
	CHECK_UINT(pqueue_count(&q), 0);
	CHECK(q.head == NULL && q.tail == NULL);
	pqueue_pop(&q);	/* no-op when empty */
	CHECK_UINT(pqueue_count(&q), 0);
}

static void oldest_arrival(void)
{
	struct pqueue q;
	pqueue_init(&q, 16, 100);
	CHECK_UINT(pqueue_oldest_arrival(&q), 0);
	/* Sequence order is not arrival order. */
	CHECK_INT(ins(&q, 9, 500), 0);
	CHECK_INT(ins(&q, 7, 700), 0);
	CHECK_INT(ins(&q, 8, 300), 0);
	CHECK_UINT(pqueue_oldest_arrival(&q), 300);
	pqueue_pop(&q);	/* 7 */
	CHECK_UINT(pqueue_oldest_arrival(&q), 300);
	pqueue_pop(&q);	/* 8 */
	CHECK_UINT(pqueue_oldest_arrival(&q), 500);
	pqueue_clear(&q);
	CHECK_UINT(pqueue_oldest_arrival(&q), 0);
}

static void clear_frees_everything(void)
{
	/* Under LeakSanitizer a missed free fails this case. */
	struct pqueue q;
	pqueue_init(&q, 64, 2000);
	uint8_t data[2000] = { 0 };
	for (uint32_t i = 0; i < 64; i++)
		CHECK_INT(pqueue_insert(&q, i * 7919u, data, sizeof data, i), 0);
	check_links(&q);
	pqueue_clear(&q);
	CHECK_UINT(pqueue_count(&q), 0);
	CHECK_INT(ins(&q, 1, 1), 0);
	pqueue_clear(&q);
}

const struct test_case pqueue_tests[] = {
	{ "orders_by_sequence", orders_by_sequence },
	{ "wraps_at_2_32", wraps_at_2_32 },
	{ "duplicates_rejected", duplicates_rejected },
	{ "bounded", bounded },
	{ "oldest_arrival", oldest_arrival },
	{ "clear_frees_everything", clear_frees_everything },
	{ NULL, NULL },
};
