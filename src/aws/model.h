/*
 * model.h - the botocore operation and shape model of the AWS services we
 * speak, and the converters between the wire and jansson objects keyed by
 * botocore member names (the form of boto3's parsed params and responses).
 *
 * Private to src/aws (the lead's aws.h includes it).  The tables live in the
 * generated model_gen.c; query_in.c parses form bodies, xml_out.c writes
 * query-protocol XML, json_io.c validates JSON 1.1 input and writes output.
 */
#ifndef AWS_MODEL_H
#define AWS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/core.h"

enum aws_protocol { AWS_PROTO_QUERY, AWS_PROTO_JSON };

enum aws_type {
	AWS_T_STRUCTURE,
	AWS_T_LIST,
	AWS_T_MAP,
	AWS_T_STRING,
	AWS_T_INTEGER, /* 32-bit */
	AWS_T_LONG,    /* 64-bit */
	AWS_T_BOOLEAN,
	AWS_T_TIMESTAMP, /* in json: epoch seconds, integer or real */
	AWS_T_BLOB,      /* in json: a string of raw bytes (json_stringn_nocheck) */
	AWS_T_DOUBLE,
	AWS_T_FLOAT,
};

/* aws_shape.flags */
#define AWS_SHAPE_HAS_MIN 0x01      /* min is meaningful */
#define AWS_SHAPE_HAS_MAX 0x02      /* max is meaningful */
#define AWS_SHAPE_FLATTENED 0x04    /* list/map without a wrapper element */
#define AWS_SHAPE_EXCEPTION 0x08    /* an error shape: error_code, http_status */
#define AWS_SHAPE_SENDER_FAULT 0x10 /* error is the client's ("Sender") */
#define AWS_SHAPE_SENSITIVE 0x20    /* never echo the value in messages */

/*
 * A string pattern compiled at generation time: the whole value must be
 * min_repeat or more code points, each allowed by bits (U+0000-U+00FF) or,
 * above U+00FF, by high_ok.  checked == 0: the pattern was too complex to
 * compile and is not enforced.
 */
struct aws_pattern {
	const char *src;     /* as written in the model, for error messages */
	uint8_t bits[32];    /* bit cp set: code point cp (< 256) allowed */
	uint8_t high_ok;     /* code points above U+00FF allowed */
	uint8_t min_repeat;  /* 0 ('*') or 1 ('+') */
	uint8_t checked;     /* 0: unchecked */
};

/*
 * A structure member, a list's member (name "member") or a map's key/value
 * (names "key", "value").  location_name is the wire name when it differs.
 */
struct aws_member {
	const char *name;          /* botocore member name: "UserName" */
	const char *location_name; /* NULL: use name (or "member"/"key"/"value") */
	const char *xml_namespace; /* NULL: none */
	uint16_t shape;            /* index in aws_shapes[] */
	uint8_t required;          /* structure members only */
	uint8_t flattened;         /* the reference says flattened */
};

struct aws_shape {
	const char *name;
	uint8_t type;             /* enum aws_type */
	uint8_t flags;            /* AWS_SHAPE_* */
	uint16_t members;         /* first index in aws_members[] */
	uint16_t nmembers;        /* structure: count; list: 1; map: 2 (key, value) */
	uint16_t enums;           /* first index in aws_enum_values[] */
	uint16_t nenums;          /* 0: not an enum */
	int16_t pattern;          /* index in aws_patterns[], -1: none */
	uint16_t http_status;     /* exceptions only */
	const char *error_code;   /* exceptions only: "NoSuchEntity" */
	const char *timestamp_format; /* NULL: the protocol default */
	int64_t min, max;         /* string: code points; list/map: entries; numbers: value */
};

struct aws_op {
	const char *name;           /* "CreateUser" */
	int16_t input, output;      /* shape indices, -1: none */
	const char *result_wrapper; /* query protocol: "CreateUserResult" or NULL */
};

struct aws_error_shape {
	const char *code;      /* <Code> / __type: "NoSuchEntity" */
	uint16_t shape;        /* index in aws_shapes[] */
	uint16_t http_status;
	uint8_t sender_fault;  /* 1: "Sender", 0: "Receiver" */
};

struct aws_service {
	const char *name;          /* "iam" */
	const char *api_version;   /* "2010-05-08" */
	enum aws_protocol protocol;
	const char *target_prefix; /* json: "CodeCommit_20150413" */
	const char *xml_namespace; /* query: "https://iam.amazonaws.com/doc/2010-05-08/" */
	const char *json_version;  /* json: "1.1" */
	uint16_t shapes, nshapes;  /* this service's slice of aws_shapes[] */
	const struct aws_op *ops;  /* sorted by name (strcmp) */
	size_t nops;
	const struct aws_error_shape *errors; /* sorted by code (strcmp) */
	size_t nerrors;
};

/* the generated tables (model_gen.c) */
extern const struct aws_pattern aws_patterns[];
extern const char *const aws_enum_values[];
extern const struct aws_member aws_members[];
extern const struct aws_shape aws_shapes[];
extern const struct aws_service aws_services[]; /* sorted by name */
extern const size_t aws_nservices;

static inline const struct aws_shape *aws_shape_at(int idx)
{
	return idx < 0 ? NULL : &aws_shapes[idx];
}
static inline const struct aws_member *aws_shape_member(const struct aws_shape *sh, size_t i)
{
	return &aws_members[sh->members + i];
}
/* the wire name of a member: its location name or its name */
static inline const char *aws_member_wire_name(const struct aws_member *m)
{
	return m->location_name ? m->location_name : m->name;
}

/* ---- lookups (model.c) ---------------------------------------------------- */

/* "iam", "sts", "codecommit", "cloudtrail"; NULL if unknown */
const struct aws_service *aws_model_service(const char *name);
/* binary search, case-sensitive; NULL if unknown */
const struct aws_op *aws_model_op(const struct aws_service *svc, const char *op_name, size_t len);
/* the op named action in any query-protocol service (sts first), for routing unsigned calls */
const struct aws_op *aws_model_op_for_action(const char *action, size_t len,
                                             const struct aws_service **svc_out);
/* the error shape with <Code>/__type code in svc; NULL if not modelled */
const struct aws_error_shape *aws_model_error(const struct aws_service *svc, const char *code);
/* the member of a structure shape called name (botocore name); NULL if none */
const struct aws_member *aws_model_member(const struct aws_shape *sh, const char *name, size_t len);
/*
 * Decodes one UTF-8 sequence at s[0..n), n > 0: returns its length and sets
 * *cp, or returns 0 for an invalid, overlong or surrogate sequence.
 */
size_t aws__utf8_next(const char *s, size_t n, uint32_t *cp);

/* ---- query protocol input (query_in.c) ------------------------------------ */

#define AWS_QUERY_MAX_PARAMS 1000
#define AWS_QUERY_MAX_INDEX 1000 /* list and map entry numbers */
#define AWS_QUERY_MAX_NAME 256   /* bytes of a decoded parameter name */

struct aws_query_head {
	char action[128];  /* "" when absent */
	char version[32];  /* "" when absent */
};

/*
 * Parses an application/x-www-form-urlencoded body (or query string) into
 * *out, a new object shaped by the input shape of the op named by Action in
 * svc, and validates it as AWS does.  Action and Version go to head, not to
 * *out.  Unknown parameters are ignored.  Errors, all CC_EINVAL, by aws_code:
 * "ValidationError" (constraints, unparsable numbers/booleans/timestamps),
 * "MalformedQueryString" (bad %-escapes, invalid UTF-8 or NUL, more than
 * AWS_QUERY_MAX_PARAMS parameters, over-long names, duplicates, list/map
 * gaps, bad indices), "MissingAction", "InvalidAction".  The caller bounds
 * len.  On error *out is NULL.  An op without input shape gives {}.
 */
int aws_query_parse(json_t **out, struct aws_query_head *head, const char *body, size_t len,
                    const struct aws_service *svc, struct err *e);
/*
 * Only Action and Version (each "" when absent), to route a request before
 * authentication.  Returns CC_EINVAL for a malformed body or a value that
 * does not fit.
 */
int aws_query_action(char *action, size_t action_sz, char *version, size_t version_sz,
                     const char *body, size_t len);

/* ---- query protocol output (xml_out.c) ------------------------------------ */

/*
 * <OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata>
 * <RequestId>id</RequestId></ResponseMetadata></OpResponse>, the result
 * serialised per the op's output shape.  result may be NULL when the op has no
 * output.  Members of result not in the shape are ignored.
 */
int aws_xml_response(struct buf *out, const struct aws_service *svc, const struct aws_op *op,
                     const json_t *result, const char *request_id, struct err *e);
/*
 * <ErrorResponse xmlns=...><Error><Type>Sender</Type><Code>..</Code>
 * <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>;
 * svc may be NULL (no namespace).  Returns CC_ELIMIT if out overflowed.
 */
int aws_xml_error(struct buf *out, const struct aws_service *svc, const char *type,
                  const char *code, const char *message, const char *request_id);
/* appends s[0..n) as XML character data: escapes & < > " ', control characters */
void aws_xml_text(struct buf *out, const char *s, size_t n);

/* ---- JSON 1.1 (json_io.c) ------------------------------------------------- */

/*
 * Parses a JSON 1.1 request body (an empty body is {}) rejecting duplicate
 * keys.  Errors: CC_EINVAL "SerializationException".
 */
int aws_json_parse(json_t **out, const char *body, size_t len, struct err *e);
/*
 * Validates in (an object) against the op's input shape: JSON types (CC_EINVAL
 * "SerializationException"), then required/length/enum/pattern/range (CC_EINVAL
 * "ValidationException").  Normalises in place: timestamps become epoch
 * numbers, blobs are base64-decoded to raw-byte strings, null members and
 * members not in the shape are removed.
 */
/* Only the first half: JSON types and normalisation, no constraints. */
int aws_json_normalize(json_t *in, const struct aws_service *svc, const struct aws_op *op,
                       struct err *e);
int aws_json_validate(json_t *in, const struct aws_service *svc, const struct aws_op *op,
                      struct err *e);
/*
 * Serialises result per the op's output shape into out (compact JSON):
 * timestamps as epoch seconds, blobs as base64, members not in the shape
 * dropped.  result may be NULL ({}).
 */
int aws_json_response(struct buf *out, const struct aws_service *svc, const struct aws_op *op,
                      const json_t *result, struct err *e);
/* {"__type":"code","message":"..."} */
int aws_json_error(struct buf *out, const char *code, const char *message);

/* ---- shared validation (json_io.c) ----------------------------------------- */

/*
 * Checks v (already of the right JSON types, timestamps and blobs normalised)
 * against shape idx; on failure fills e with CC_EINVAL, aws_code and AWS's
 * "N validation error(s) detected: ..." message.  v may be NULL for an
 * absent top-level input.
 */
int aws__validate(const json_t *v, int shape, const char *aws_code, struct err *e);

#endif
