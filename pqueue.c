/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pqueue.c - the receive reorder queue (see pqueue.h). */
#include "pqueue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void pqueue_init(struct pqueue *q, size_t max_entries, size_t max_payload)
{
	*q = (struct pqueue){ .max_entries = max_entries, .max_payload = max_payload };
}

int pqueue_insert(struct pqueue *q, uint32_t seq, const uint8_t *data, size_t len,
		  uint64_t arrival_us)
{
	if (len > q->max_payload)
		return -EMSGSIZE;

	/* Search from the tail: packets mostly arrive nearly in order, so the
	 * place is usually at or next to the end. */
	struct pqueue_entry *after = q->tail;
	while (after && seq_before(seq, after->seq))
		after = after->prev;
	if (after && after->seq == seq)
		return -EEXIST;
	if (q->count >= q->max_entries)
		return -ENOSPC;

	struct pqueue_entry *e = malloc(sizeof *e + len);
	if (!e)
		return -ENOMEM;
	e->seq = seq;
	e->arrival_us = arrival_us;
	e->len = len;
	if (len)
		memcpy(e->data, data, len);

	e->prev = after;
	e->next = after ? after->next : q->head;
	if (e->next)
		e->next->prev = e;
	else
		q->tail = e;
	if (after)
		after->next = e;
	else
		q->head = e;
	q->count++;
	return 0;
}

void pqueue_pop(struct pqueue *q)
{
	struct pqueue_entry *e = q->head;

	if (!e)
		return;
	q->head = e->next;
	if (q->head)
		q->head->prev = NULL;
	else
		q->tail = NULL;
	q->count--;
	free(e);
}

uint64_t pqueue_oldest_arrival(const struct pqueue *q)
{
	uint64_t oldest = 0;

	/* Sequence order is not arrival order; the queue is short, so scan. */
	for (const struct pqueue_entry *e = q->head; e; e = e->next)
		if (e == q->head || e->arrival_us < oldest)
			oldest = e->arrival_us;
	return oldest;
}

void pqueue_clear(struct pqueue *q)
{
	while (q->head)
		pqueue_pop(q);
}
