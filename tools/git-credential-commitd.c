/*
 * git-credential-commitd - the git credential helper (tools/credhelper.c),
 * which git runs for `credential.helper commitd`.
 */
#include "tools/tools.h"

int main(int argc, char **argv)
{
	return credential_helper_main(argc, argv);
}
