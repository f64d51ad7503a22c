/*
 * lookup.c - reading the trail: LookupEvents' search (newest first, one
 * attribute, a time range, pages named by an opaque token) and the export
 * of a time range as JSON lines.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

#define TOKEN_PREFIX "CDA1."

static const char *const attr_sql[] = {
	[AUDIT_ATTR_NONE] = "",
	[AUDIT_ATTR_EVENT_ID] = " AND event_id = ?4",
	[AUDIT_ATTR_EVENT_NAME] = " AND event_name = ?4",
	[AUDIT_ATTR_READ_ONLY] = " AND read_only = (?4 = 'true')",
	[AUDIT_ATTR_USERNAME] = " AND username = ?4",
	[AUDIT_ATTR_RESOURCE_TYPE] = " AND instr(resource_types, char(10) || ?4 || char(10)) > 0",
	[AUDIT_ATTR_RESOURCE_NAME] = " AND instr(resource_names, char(10) || ?4 || char(10)) > 0",
	[AUDIT_ATTR_EVENT_SOURCE] = " AND event_source = ?4",
	[AUDIT_ATTR_ACCESS_KEY_ID] = " AND access_key_id = ?4",
};

/* "CDA1.<seq>": the page goes on below that event */
static int token_parse(int64_t *below, const char *t, struct err *e)
{
	size_t n = t ? strlen(t) : 0, p = strlen(TOKEN_PREFIX);

	if (n <= p || n > p + 19 || strncmp(t, TOKEN_PREFIX, p) != 0 ||
	    parse_i64(t + p, n - p, 1, INT64_MAX, below) < 0)
		return err_set(e, CC_EINVAL, "InvalidNextTokenException",
			       "The NextToken is not one this server gave out");
	return 0;
}

static void put(json_t *o, const char *k, const unsigned char *v)
{
	if (v && v[0])
		json_object_set_new(o, k, json_string((const char *)v));
}

/* one row as LookupEvents' Event */
static json_t *event_of(sqlite3_stmt *q)
{
	json_t *ev = json_object(), *res = json_array();
	json_t *rec = json_loads((const char *)sqlite3_column_text(q, 8), 0, NULL);
	json_t *list = json_object_get(rec, "resources");

	put(ev, "EventId", sqlite3_column_text(q, 1));
	put(ev, "EventName", sqlite3_column_text(q, 2));
	json_object_set_new(ev, "ReadOnly", json_string(sqlite3_column_int(q, 3) ? "true" : "false"));
	put(ev, "AccessKeyId", sqlite3_column_text(q, 4));
	json_object_set_new(ev, "EventTime", json_integer(sqlite3_column_int64(q, 9)));
	put(ev, "EventSource", sqlite3_column_text(q, 5));
	put(ev, "Username", sqlite3_column_text(q, 10));
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *r = json_array_get(list, i);

		json_array_append_new(res, json_pack("{s:s?, s:s?}", "ResourceType",
						     json_string_value(json_object_get(r, "type")),
						     "ResourceName",
						     json_string_value(json_object_get(r, "ARN"))));
	}
	if (json_array_size(res))
		json_object_set_new(ev, "Resources", res);
	else
		json_decref(res);
	put(ev, "CloudTrailEvent", sqlite3_column_text(q, 8));
	json_decref(rec);
	return ev;
}

int audit_lookup(struct audit *a, const struct audit_query *q, json_t **events,
		 char **next_token, struct err *e)
{
	char sql[1024];
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	int64_t below = INT64_MAX, last = 0;
	size_t n = 0;
	int rc, step;

	*events = NULL;
	*next_token = NULL;
	if (q->attr > AUDIT_ATTR_ACCESS_KEY_ID || q->max < 1 || q->max > 50)
		return err_set(e, CC_EINVAL, "InvalidLookupAttributesException", "bad lookup");
	if (q->next_token && (rc = token_parse(&below, q->next_token, e)) < 0)
		return rc;
	audit__flush(a);
	snprintf(sql, sizeof(sql),
		 "SELECT seq, event_id, event_name, read_only, access_key_id, event_source,"
		 " resource_names, resource_types, record, time, username FROM events"
		 " WHERE account = ?1 AND seq < ?2 AND time >= ?3 AND time <= ?5%s"
		 " ORDER BY seq DESC LIMIT ?6",
		 attr_sql[q->attr]);
	db = audit__reader(a);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit lookup: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, q->account ? q->account : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, below);
	sqlite3_bind_int64(st, 3, q->start);
	if (q->attr != AUDIT_ATTR_NONE)
		sqlite3_bind_text(st, 4, q->value ? q->value : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, q->end ? q->end : INT64_MAX);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)q->max + 1);
	*events = json_array();
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (++n > q->max) {
			char tok[40];

			snprintf(tok, sizeof(tok), TOKEN_PREFIX "%lld", (long long)last);
			*next_token = strdup(tok);
			break;
		}
		last = sqlite3_column_int64(st, 0);
		json_array_append_new(*events, event_of(st));
	}
	rc = step == SQLITE_ROW || step == SQLITE_DONE
		     ? 0
		     : err_set(e, CC_ERROR, NULL, "audit lookup: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	audit__reader_done(a);
	if (rc < 0) {
		json_decref(*events);
		*events = NULL;
	}
	return rc;
}

int audit_export(const char *data_dir, int64_t start, int64_t end, FILE *out, struct err *e)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = audit__open_ro(&db, data_dir, e)) < 0)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT record FROM events WHERE time >= ?1 AND time <= ?2"
				   " ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		rc = err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, start);
	sqlite3_bind_int64(st, 2, end ? end : INT64_MAX);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (fprintf(out, "%s\n", (const char *)sqlite3_column_text(st, 0)) < 0) {
			rc = err_set(e, CC_ERROR, NULL, "audit export: cannot write");
			goto out;
		}
	rc = step == SQLITE_DONE ? 0
				 : err_set(e, CC_ERROR, NULL, "audit export: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
