/* phoenix: where a command's time goes.
 *
 * With --debug (or the config's `debug`), each ph_timing_mark(step) adds a
 * record to the trace:
 *   timing: <command>: <step> <ms since the previous mark> ms
 * and ph_timing_end() one more, `total`, the time since main() began.
 * bench/vm-bench.sh reads them to break the AppArmor path down by step.
 * Nothing is recorded before ph_timing_command() names the command (main
 * does for the container lifecycle only: a command passed through to the
 * runtime gets no phoenix output), nor without debug: a mark then costs a
 * branch. */
#ifndef PHOENIX_TIMING_H
#define PHOENIX_TIMING_H

/* At the top of main(): the clock starts. */
void ph_timing_begin(void);
/* The command the records are about ("create", "start", …): records
 * begin. */
void ph_timing_command(const char *name);
/* The step that ends now. */
void ph_timing_mark(const char *step);
/* The command ends now: the `total` record. */
void ph_timing_end(void);

#endif
