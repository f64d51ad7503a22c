/*
 * errors.c - the one table from our error codes to each protocol's AWS
 * error code and HTTP status.  A handler that names an aws_code keeps it;
 * the status then comes from the service model's error shape when the code
 * is modelled there, else from this table.
 */
#include <string.h>

#include "aws.h"

struct code_map {
	int code;
	const char *query; /* IAM and STS */
	const char *json;  /* CodeCommit and CloudTrail */
	int http;
};

static const struct code_map defaults[] = {
	{CC_ERROR, "ServiceFailure", "InternalFailure", 500},
	{CC_ENOTFOUND, "NoSuchEntity", "ResourceNotFoundException", 404},
	{CC_EEXISTS, "EntityAlreadyExists", "ResourceAlreadyExistsException", 409},
	{CC_EINVAL, "ValidationError", "ValidationException", 400},
	{CC_EDENIED, "AccessDenied", "AccessDeniedException", 403},
	{CC_ELIMIT, "LimitExceeded", "LimitExceededException", 409},
	{CC_ECONFLICT, "DeleteConflict", "ConflictException", 409},
	{CC_EAUTH, "InvalidClientTokenId", "UnrecognizedClientException", 403},
};

/* statuses of codes that no service model lists */
static const struct {
	const char *code;
	int http;
} statuses[] = {
	{"AccessDenied", 403},
	{"AccessDeniedException", 400},
	{"ExpiredToken", 400},
	{"IncompleteSignature", 400},
	{"InternalFailure", 500},
	{"InvalidAction", 400},
	{"InvalidClientTokenId", 403},
	{"InvalidParameterCombination", 400},
	{"InvalidParameterValue", 400},
	{"InvalidSignatureException", 400},
	{"MalformedQueryString", 404},
	{"MissingAction", 400},
	{"MissingAuthenticationToken", 403},
	{"MissingParameter", 400},
	{"NoSuchVersion", 400},
	{"RequestExpired", 400},
	{"SerializationException", 400},
	{"ServiceUnavailable", 503},
	{"SignatureDoesNotMatch", 403},
	{"Throttling", 400},
	{"UnknownOperationException", 400},
	{"UnrecognizedClientException", 400},
	{"ValidationError", 400},
	{"ValidationException", 400},
};

void aws_error_map(const struct err *e, const struct aws_service *svc, const char **code,
		   int *http)
{
	const struct aws_error_shape *es;
	bool json = svc && svc->protocol == AWS_PROTO_JSON;
	size_t i;

	*code = NULL;
	*http = 0;
	for (i = 0; i < ARRAY_SIZE(defaults); i++) {
		if (defaults[i].code == e->code) {
			*code = json ? defaults[i].json : defaults[i].query;
			*http = defaults[i].http;
		}
	}
	if (*code == NULL) {
		*code = json ? "InternalFailure" : "ServiceFailure";
		*http = 500;
	}
	if (e->aws_code) {
		*code = e->aws_code;
		for (i = 0; i < ARRAY_SIZE(statuses); i++)
			if (strcmp(statuses[i].code, e->aws_code) == 0)
				*http = statuses[i].http;
		if (svc && (es = aws_model_error(svc, e->aws_code)) != NULL)
			/* JSON services' modelled exceptions are client errors, 400
			 * unless the model says otherwise */
			*http = es->http_status ? es->http_status : json ? 400 : *http;
	} else if (svc && (es = aws_model_error(svc, *code)) != NULL && es->http_status) {
		*http = es->http_status;
	}
	if (e->http)
		*http = e->http;
}
