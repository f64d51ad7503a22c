/*
 * sts.h - the contract of src/sts: the STS API (query protocol, 2011-06-15)
 * as one operation table.  Temporary credentials are self-contained sealed
 * tokens (auth/token.c), so verifying them needs no store lookup.
 */
#ifndef STS_STS_H
#define STS_STS_H

#include "aws/aws.h"

extern const struct aws_optable sts_optable;

#endif
