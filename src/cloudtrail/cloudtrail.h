/*
 * cloudtrail.h - the contract of src/cloudtrail: the CloudTrail API (JSON
 * 1.1, CloudTrail_20131101) over the audit trail (audit/), as one
 * operation table.
 */
#ifndef CLOUDTRAIL_CLOUDTRAIL_H
#define CLOUDTRAIL_CLOUDTRAIL_H

#include "aws/aws.h"

extern const struct aws_optable cloudtrail_optable;

#endif
