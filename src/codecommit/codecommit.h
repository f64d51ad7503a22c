/*
 * codecommit.h - the contract of src/codecommit: the CodeCommit API (JSON
 * 1.1, CodeCommit_20150413) as one operation table.  Repository data lives
 * on disk (git/); names, descriptions, tags and policies in the store.
 */
#ifndef CODECOMMIT_CODECOMMIT_H
#define CODECOMMIT_CODECOMMIT_H

#include "aws/aws.h"

extern const struct aws_optable codecommit_optable;

#endif
