/*
 * denials.c - the explanations behind recent AccessDenied answers, for
 * STS DecodeAuthorizationMessage.  A refusal carries a short reference
 * ("Encoded authorization failure message: CDM1..."), not the explanation
 * itself: it names policies and context values the caller may not read, and
 * only a principal of the same account allowed
 * sts:DecodeAuthorizationMessage gets it.  The last DENIALS_KEPT are kept
 * in memory, until the server stops.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

struct denial {
	char id[DENIAL_ID_MAX];
	char account[13];
	char *json;
};

struct denials {
	pthread_mutex_t mu;
	struct denial *ring;
	size_t cap, next;
};

struct denials *denials_new(size_t cap)
{
	struct denials *d = calloc(1, sizeof(*d));

	if (d == NULL || (d->ring = calloc(cap, sizeof(*d->ring))) == NULL) {
		free(d);
		return NULL;
	}
	d->cap = cap;
	pthread_mutex_init(&d->mu, NULL);
	return d;
}

void denials_free(struct denials *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->cap; i++)
		free(d->ring[i].json);
	free(d->ring);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

int denials_put(struct denials *d, const char *account, const char *json, char id[DENIAL_ID_MAX])
{
	unsigned char raw[18];
	char *copy = strdup(json);
	struct denial *slot;

	if (copy == NULL || rand_bytes(raw, sizeof(raw)) < 0) {
		free(copy);
		return CC_ERROR;
	}
	memcpy(id, "CDM1", 4);
	b64url_encode(id + 4, DENIAL_ID_MAX - 4, raw, sizeof(raw));
	pthread_mutex_lock(&d->mu);
	slot = &d->ring[d->next];
	d->next = (d->next + 1) % d->cap;
	free(slot->json);
	memcpy(slot->id, id, DENIAL_ID_MAX);
	snprintf(slot->account, sizeof(slot->account), "%s", account);
	slot->json = copy;
	pthread_mutex_unlock(&d->mu);
	return 0;
}

char *denials_get(struct denials *d, const char *account, const char *id)
{
	char *out = NULL;

	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < d->cap && out == NULL; i++) {
		const struct denial *s = &d->ring[i];

		/* one account never reads another's */
		if (s->json && strcmp(s->id, id) == 0 && strcmp(s->account, account) == 0)
			out = strdup(s->json);
	}
	pthread_mutex_unlock(&d->mu);
	return out;
}
