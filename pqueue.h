/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pqueue.h - the receive reorder queue: GRE payloads that arrived ahead of
 * the sequence number we wait for, kept in sequence order until the gap
 * fills or times out.  Bounded: at most max_entries, each at most
 * max_payload bytes.  Sequence order is wrap-safe (32-bit serial numbers
 * compared by signed difference). */
#ifndef PPTP_PQUEUE_H
#define PPTP_PQUEUE_H

#include <stddef.h>
#include <stdint.h>

struct pqueue_entry {
	struct pqueue_entry *next, *prev;
	uint32_t seq;
	uint64_t arrival_us;
	size_t len;
	uint8_t data[];
};

struct pqueue {
	struct pqueue_entry *head, *tail;	/* lowest and highest sequence */
	size_t count, max_entries, max_payload;
};

void pqueue_init(struct pqueue *q, size_t max_entries, size_t max_payload);
/* 0 on success; -EEXIST when seq is already queued; -ENOSPC when full;
 * -EMSGSIZE when len > max_payload; -ENOMEM. */
int pqueue_insert(struct pqueue *q, uint32_t seq, const uint8_t *data, size_t len,
		  uint64_t arrival_us);
/* Lowest sequence number queued, or NULL when empty. */
static inline const struct pqueue_entry *pqueue_head(const struct pqueue *q) { return q->head; }
/* Remove and free the head entry (no-op when empty). */
void pqueue_pop(struct pqueue *q);
/* Earliest arrival time among the queued entries (0 when empty). */
uint64_t pqueue_oldest_arrival(const struct pqueue *q);
static inline size_t pqueue_count(const struct pqueue *q) { return q->count; }
void pqueue_clear(struct pqueue *q);

#endif
