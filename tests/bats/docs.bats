#!/usr/bin/env bats
# The manual pages and the bash completion: both pages render without a
# warning, document every config key and every command the code knows,
# and the completion completes commands, options, values and container
# ids.

load helpers

MAN1="$REPO_ROOT/man/phoenix.1"
MAN5="$REPO_ROOT/man/phoenix.json.5"
COMPLETION="$REPO_ROOT/completion/phoenix.bash"

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# The keys apply_key() in shim/core/config.c accepts.
code_config_keys() {
	sed -n '/^static int apply_key(/,/^}/p' "$REPO_ROOT/shim/core/config.c" |
		grep -o 'strcmp(k, "[^"]*")' | sed 's/^strcmp(k, "\(.*\)")$/\1/'
}

# The command words of the commands[] table in shim/cmd/cli.c.
code_commands() {
	sed -n '/^static const struct command commands\[\] = {/,/^};/p' "$REPO_ROOT/shim/cmd/cli.c" |
		grep -o '^[[:space:]]*{ *"[^"]*"' | sed 's/^[[:space:]]*{ *"\(.*\)"$/\1/'
}

# A page as plain text, 80 columns wide.
render() {
	groff -man -Tascii -P-cbou -rLL=80n "$1"
}

# The lines of section $2 of rendered page $1 (headings are the lines that
# begin with a capital letter).
section() {
	render "$1" | awk -v name="$2" '/^[A-Z]/ { on = ($0 == name); next } on'
}

# COMPREPLY, one per line, for the command line $1 with the cursor at its
# end, the words split as bash splits them (`=` is a word of its own).
complete_line() {
	bash -c '
		source "$1"
		line=$2
		read -ra COMP_WORDS <<<"${line//=/ = }"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		_phoenix
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$COMPLETION" "$1"
}

@test "phoenix.1 renders without warnings" {
	run bash -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' _ "$MAN1"
	assert_success
	assert_output ''
	run groff -man -ww -z "$MAN1"
	assert_success
	assert_output ''
}

@test "phoenix.json.5 renders without warnings" {
	run bash -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' _ "$MAN5"
	assert_success
	assert_output ''
	run groff -man -ww -z "$MAN5"
	assert_success
	assert_output ''
}

@test "every config key of config.c is in phoenix.json(5) and in the README" {
	local keys key missing=
	keys=$(code_config_keys)
	[ "$(wc -l <<<"$keys")" -ge 20 ]
	local text
	text=$(section "$MAN5" KEYS)
	for key in $keys; do
		grep -Eq "^ {7}$key( |\$)" <<<"$text" || missing+=" phoenix.json.5:$key"
		grep -Fq "| \`$key\` |" "$REPO_ROOT/README.md" || missing+=" README.md:$key"
	done
	assert_equal "$missing" ""
}

@test "phoenix.json(5) and the README document no key config.c does not know" {
	local keys key extra=
	keys=$(code_config_keys)
	# the tags of the KEYS section: `.TP` then `.B key`
	for key in $(sed -n '/^\.SH KEYS/,/^\.SH /p' "$MAN5" |
		awk 'tp && /^\.B / { print $2 } { tp = /^\.TP/ }'); do
		grep -Fxq "$key" <<<"$keys" || extra+=" phoenix.json.5:$key"
	done
	# the rows of the README's configuration table
	for key in $(sed -n '/^## Configuration/,/^### /p' "$REPO_ROOT/README.md" |
		sed -n 's/^| `\([A-Za-z]*\)` |.*/\1/p'); do
		grep -Fxq "$key" <<<"$keys" || extra+=" README.md:$key"
	done
	assert_equal "$extra" ""
}

@test "every command of cli.c is in phoenix(1)" {
	local commands cmd missing=
	commands=$(code_commands)
	[ "$(wc -l <<<"$commands")" -ge 20 ]
	local text
	text=$(section "$MAN1" COMMANDS)
	for cmd in $commands; do
		# a tag of its own: "       name ...", or "       help, h"
		grep -Eq "^ {7}([a-z-]+, )*$cmd(,| |\$)" <<<"$text" || missing+=" $cmd"
	done
	assert_equal "$missing" ""
}

@test "completion: phoenix cre<TAB> completes to create" {
	run complete_line 'phoenix cre'
	assert_success
	assert_output 'create'
}

@test "completion: phoenix denials --so<TAB> completes to --source" {
	run complete_line 'phoenix denials --so'
	assert_success
	assert_output '--source'
}

@test "completion: every command but the alias h" {
	run complete_line 'phoenix '
	assert_success
	local cmd missing=
	for cmd in $(code_commands); do
		[ "$cmd" != h ] || continue
		grep -Fxq "$cmd" <<<"$output" || missing+=" $cmd"
	done
	assert_equal "$missing" ""
}

@test "completion: global and command options" {
	run complete_line 'phoenix --log-f'
	assert_output '--log-format'
	run complete_line 'phoenix --root /run/x create --b'
	assert_output '--bundle'
	run complete_line 'phoenix exec --no-new'
	assert_output '--no-new-privs'
	run complete_line 'phoenix delete --f'
	assert_output '--force'
	run complete_line 'phoenix gc --d'
	assert_output '--dry-run'
	run complete_line 'phoenix check --'
	assert_output '--json'
	run complete_line 'phoenix hook '
	assert_output 'poststop'
}

@test "completion: option values" {
	mkdir "$WORK/empty"
	cd "$WORK/empty"
	run complete_line 'phoenix --log-format '
	assert_output $'text\njson'
	run complete_line 'phoenix --log-format=j'
	assert_output 'json'
	run complete_line 'phoenix --log-format=json cre'
	assert_output 'create'
	run complete_line 'phoenix denials --source '
	assert_output $'auto\nkmsg\naudit\njournal\n-'
	run complete_line 'phoenix denials --source=jo'
	assert_output 'journal'
	run complete_line 'phoenix list --format '
	assert_output $'table\njson'
}

@test "completion: container ids from list -q, with --root, and signals for kill" {
	mkdir "$WORK/bin"
	cat >"$WORK/bin/phoenix" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$WORK/list-args"
printf 'web\nweb2\ndb\n'
SH
	chmod +x "$WORK/bin/phoenix"
	run complete_line "$WORK/bin/phoenix --root /run/x kill we"
	assert_output $'web\nweb2'
	assert_equal "$(cat "$WORK/list-args")" $'--root\n/run/x\nlist\n-q'
	run complete_line "$WORK/bin/phoenix pause w"
	assert_output $'web\nweb2'
	assert_equal "$(cat "$WORK/list-args")" $'list\n-q'
	run complete_line "$WORK/bin/phoenix kill web KI"
	assert_output 'KILL'
	run complete_line "$WORK/bin/phoenix kill web SIGTE"
	assert_output 'SIGTERM'
	run complete_line "$WORK/bin/phoenix denials --root /run/y d"
	assert_output 'db'
	assert_equal "$(cat "$WORK/list-args")" $'--root\n/run/y\nlist\n-q'
	run complete_line "$WORK/bin/phoenix exec d"
	assert_output 'db'
}
