/* git-remote-codecommit - the remote helper for codecommit:// URLs (tools/remote.c) */
#include "tools/tools.h"

int main(int argc, char **argv)
{
	return remote_main(argc, argv);
}
