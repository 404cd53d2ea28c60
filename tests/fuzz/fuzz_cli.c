/* phoenix fuzz target: runc's command-line grammar (ph_cli_parse).
 *
 * The input is split on NUL bytes into an argument vector (each argument
 * a separate allocation, so that reading past one is caught), argv[0]
 * being "phoenix".  The parse may refuse, but must not crash, and what it
 * returns must point into the vector it was given (every --cap value and
 * every --process position too). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 128

/* p is NULL or one of argv's strings, or points inside one of them (the
 * value of --name=value). */
static void check_ptr(const char *p, int argc, char **argv)
{
	if (p == NULL)
		return;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (p >= argv[i] && p <= argv[i] + len)
			return;
	}
	fprintf(stderr, "ph_cli_parse returned a pointer outside argv\n");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = strdup("phoenix");
	size_t start = 0;
	for (size_t i = 0; i <= size && argc < MAX_ARGS + 1; i++) {
		if (i == size || data[i] == '\0') {
			if (i == size && i == start && size > 0)
				break; /* a trailing NUL ends the last argument */
			char *arg = malloc(i - start + 1);
			if (arg == NULL)
				abort();
			memcpy(arg, data + start, i - start);
			arg[i - start] = '\0';
			argv[argc++] = arg;
			start = i + 1;
		}
	}
	argv[argc] = NULL;

	struct ph_cli cli;
	ph_error_t err = NULL;
	memset(&cli, 0, sizeof(cli));
	if (ph_cli_parse(argc, argv, &cli, &err) < 0) {
		if (err == NULL || err->msg == NULL)
			abort();
		ph_error_free(&err);
	} else {
		if (cli.argc != argc || cli.argv != argv || cli.command_index < 0 ||
		    cli.command_index >= argc || cli.first_arg_index < 0 ||
		    cli.first_arg_index >= argc || cli.nargs < 0 || cli.nargs >= argc)
			abort();
		check_ptr(cli.root, argc, argv);
		check_ptr(cli.log, argc, argv);
		check_ptr(cli.bundle, argc, argv);
		check_ptr(cli.id, argc, argv);
		check_ptr(cli.process, argc, argv);
		check_ptr(cli.apparmor, argc, argv);
		check_ptr(cli.pid_file, argc, argv);
		check_ptr(cli.console_socket, argc, argv);
		if (cli.ncaps < 0 || cli.ncaps >= argc || cli.nprocess < 0 ||
		    cli.nprocess >= argc || cli.preserve_fds < 0)
			abort();
		for (int i = 0; i < cli.ncaps; i++)
			check_ptr(cli.caps[i], argc, argv);
		for (int i = 0; i < cli.nprocess; i++) {
			const struct ph_cli_value *v = &cli.process_at[i];
			if (v->index <= 0 || v->index >= argc || v->offset < 0 ||
			    (size_t)v->offset > strlen(argv[v->index]))
				abort();
		}
		if (cli.nprocess > 0 &&
		    cli.process != argv[cli.process_at[cli.nprocess - 1].index] +
				       cli.process_at[cli.nprocess - 1].offset)
			abort();
		if (ph_cli_check_args(&cli, &err) < 0) {
			if (err == NULL || err->msg == NULL)
				abort();
			ph_error_free(&err);
		}
		const char *root = ph_cli_effective_root(&cli, "/usr/sbin/runc");
		if (root == NULL)
			abort();
		(void)ph_cli_effective_root(&cli, "/usr/bin/crun");
		(void)ph_cli_intercepted(&cli);
	}
	ph_cli_release(&cli);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
