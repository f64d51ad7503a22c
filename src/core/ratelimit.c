/*
 * ratelimit.c - token buckets keyed by a string (a source address, an
 * access key id), in a fixed table: a bucket per slot, a colliding key takes
 * the slot over.  Used to slow down repeated authentication failures, so
 * only failures spend tokens; while a key's bucket is empty its requests are
 * refused before any expensive work.  Thread-safe.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct rl_slot {
	char key[64];
	double tokens;
	double stamp; /* seconds */
};

struct ratelimit {
	pthread_mutex_t lock;
	struct rl_slot *slots;
	size_t n;
	double rate;  /* tokens per second */
	double burst; /* bucket size */
};

struct ratelimit *ratelimit_new(size_t slots, double rate, double burst)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		return NULL;
	rl->n = slots ? slots : 1;
	rl->slots = calloc(rl->n, sizeof(*rl->slots));
	if (rl->slots == NULL) {
		free(rl);
		return NULL;
	}
	rl->rate = rate;
	rl->burst = burst;
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slots);
	free(rl);
}

/* The key's slot, refilled to now; a new key starts with a full bucket. */
static struct rl_slot *slot_get(struct ratelimit *rl, const char *key, double now)
{
	struct rl_slot *s = &rl->slots[hash_str(HASH_SEED, key) % rl->n];
	if (strncmp(s->key, key, sizeof(s->key) - 1) != 0) {
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->tokens = rl->burst;
	} else {
		s->tokens += (now - s->stamp) * rl->rate;
		if (s->tokens > rl->burst)
			s->tokens = rl->burst;
	}
	s->stamp = now;
	return s;
}

bool ratelimit_blocked(struct ratelimit *rl, const char *key, double now)
{
	bool blocked;

	if (rl == NULL || key == NULL || *key == '\0')
		return false;
	pthread_mutex_lock(&rl->lock);
	blocked = slot_get(rl, key, now)->tokens < 1.0;
	pthread_mutex_unlock(&rl->lock);
	return blocked;
}

void ratelimit_spend(struct ratelimit *rl, const char *key, double now)
{
	struct rl_slot *s;

	if (rl == NULL || key == NULL || *key == '\0')
		return;
	pthread_mutex_lock(&rl->lock);
	s = slot_get(rl, key, now);
	if (s->tokens >= 1.0)
		s->tokens -= 1.0;
	pthread_mutex_unlock(&rl->lock);
}
