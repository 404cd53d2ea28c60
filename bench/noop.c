/* phoenix bench: the floor of a pass-through shim.
 *
 * Without arguments: exit 0 at once.  With arguments: execv(argv[1],
 * argv + 1), the least any wrapper can do before the runtime runs.
 * Built static (-static), so no dynamic loader runs either. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 0;
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
