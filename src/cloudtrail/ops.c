/*
 * ops.c - the CloudTrail API: one row per operation, sorted by name, and
 * LookupEvents, which searches the caller's account's trail (audit/):
 * every API call and Git pull or push, newest first, by one lookup
 * attribute and a time range, as CloudTrail's own console and
 * `aws cloudtrail lookup-events` expect.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cloudtrail.h"
#include "audit/audit.h"

static const struct {
	const char *name;
	enum audit_attr attr;
} attrs[] = {
	{"AccessKeyId", AUDIT_ATTR_ACCESS_KEY_ID}, {"EventId", AUDIT_ATTR_EVENT_ID},
	{"EventName", AUDIT_ATTR_EVENT_NAME},      {"EventSource", AUDIT_ATTR_EVENT_SOURCE},
	{"ReadOnly", AUDIT_ATTR_READ_ONLY},        {"ResourceName", AUDIT_ATTR_RESOURCE_NAME},
	{"ResourceType", AUDIT_ATTR_RESOURCE_TYPE}, {"Username", AUDIT_ATTR_USERNAME},
};

/* a Date member: epoch seconds as botocore sends them, or ISO 8601 text */
static int date_in(int64_t *out, json_t *v, const char *name, struct err *e)
{
	const char *s = json_string_value(v);

	*out = 0;
	if (v == NULL)
		return 0;
	if (json_is_number(v) && isfinite(json_number_value(v)) && json_number_value(v) >= 0 &&
	    json_number_value(v) < 253402300800.0) {
		*out = (int64_t)json_number_value(v);
		return 0;
	}
	if (s && time_parse_iso8601(out, s, strlen(s)) == 0)
		return 0;
	return err_set(e, CC_EINVAL, "InvalidTimeRangeException", "%s is not a time", name);
}

static int lookup_events(struct aws_call *c, struct err *e)
{
	json_t *list = json_object_get(c->in, "LookupAttributes"), *events = NULL, *one;
	const char *cat = aws_in_str(c, "EventCategory");
	struct audit_query q = {0};
	char *next = NULL;
	size_t i;
	int rc;

	if (c->env->audit == NULL)
		return err_set(e, CC_EINVAL, "OperationNotPermittedException",
			       "This server keeps no audit trail (serve --audit off)");
	if (cat && strcmp(cat, "insight") != 0)
		return err_set(e, CC_EINVAL, "InvalidEventCategoryException",
			       "EventCategory can only be insight");
	if (json_array_size(list) > 1)
		return err_set(e, CC_EINVAL, "InvalidLookupAttributesException",
			       "You cannot specify more than one lookup attribute.");
	if ((one = json_array_get(list, 0)) != NULL) {
		const char *k = json_string_value(json_object_get(one, "AttributeKey"));

		for (i = 0; i < ARRAY_SIZE(attrs) && q.attr == AUDIT_ATTR_NONE; i++)
			if (k && strcmp(k, attrs[i].name) == 0)
				q.attr = attrs[i].attr;
		q.value = json_string_value(json_object_get(one, "AttributeValue"));
		if (q.attr == AUDIT_ATTR_NONE || q.value == NULL)
			return err_set(e, CC_EINVAL, "InvalidLookupAttributesException",
				       "A lookup attribute is one of AccessKeyId, EventId, EventName,"
				       " EventSource, ReadOnly, ResourceName, ResourceType, Username,"
				       " with a value");
	}
	if ((rc = date_in(&q.start, json_object_get(c->in, "StartTime"), "StartTime", e)) < 0 ||
	    (rc = date_in(&q.end, json_object_get(c->in, "EndTime"), "EndTime", e)) < 0)
		return rc;
	if (q.start && q.end && q.start > q.end)
		return err_set(e, CC_EINVAL, "InvalidTimeRangeException",
			       "Start time must be before end time.");
	q.account = c->caller->account;
	q.max = (size_t)aws_in_int(c, "MaxResults", 50);
	if (q.max < 1 || q.max > 50)
		return err_set(e, CC_EINVAL, "InvalidMaxResultsException",
			       "MaxResults must be from 1 to 50");
	q.next_token = aws_in_str(c, "NextToken");
	if (cat) { /* commitd records no Insights events */
		c->out = json_pack("{s:[]}", "Events");
		return c->out ? 0 : err_oom(e);
	}
	if ((rc = audit_lookup(c->env->audit, &q, &events, &next, e)) < 0)
		return rc;
	for (i = 0; i < json_array_size(events); i++) {
		json_t *ev = json_array_get(events, i);
		json_t *t = json_object_get(ev, "EventTime");

		if (json_is_integer(t))
			json_object_set_new(ev, "EventTime", aws_time(json_integer_value(t)));
	}
	c->out = json_pack("{s:o}", "Events", events);
	if (c->out && next)
		json_object_set_new(c->out, "NextToken", json_string(next));
	free(next);
	return c->out ? 0 : err_oom(e);
}

static const struct aws_oprow rows[] = {
	/* name           handler        IAM action                  resource flags */
	{"LookupEvents",  lookup_events, "cloudtrail:LookupEvents",  NULL,    0},
};

const struct aws_optable cloudtrail_optable = {"cloudtrail", rows, ARRAY_SIZE(rows), false};
