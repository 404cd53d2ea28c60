/* phoenix bench: the floor of a pass-through shim.
 *
 * When the first argument is an absolute path: execv(argv[1], argv + 1),
 * the least any wrapper can do before the runtime runs.  Otherwise (no
 * arguments, or a runtime's arguments, when it stands in for the runtime
 * itself): exit 0 at once.  Built static (-static), so no dynamic loader
 * runs either. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] != '/')
		return 0;
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
