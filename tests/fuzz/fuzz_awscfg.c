/*
 * fuzz_awscfg.c - libFuzzer target for the AWS config file parser
 * (tools/awscfg.c).  The input is one file's bytes.  Beyond "no crash, no
 * leak": a refusal names the line; a parsed file answers lookups of every
 * section and key it lists, and a sub-section lookup of each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/awscfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* exactly its size: a read past it shows */
	struct awscfg_file *f = NULL;
	struct err e = ERR_INIT;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	if (awscfg_parse(&f, text, size, "F", &e) < 0) {
		if (e.code != CC_EINVAL || strncmp(e.msg, "F", 1) != 0)
			abort();
	} else {
		for (size_t i = 0; awscfg_section_name(f, i); i++) {
			const char *s = awscfg_section_name(f, i);

			if (!awscfg_has_section(f, s))
				abort();
			(void)awscfg_get(f, s, "region");
			(void)awscfg_sub(f, s, "codecommit", "endpoint_url");
		}
	}
	awscfg_free(f);
	free(text);
	return 0;
}
