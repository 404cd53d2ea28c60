# bash completion for phoenix(1), the OCI runtime shim that confines every
# container in an AppArmor policy namespace of its own.
#
# Installed as $(PREFIX)/share/bash-completion/completions/phoenix, where
# bash-completion loads it on the first `phoenix <TAB>`; it needs nothing
# from bash-completion itself.  It completes runc's command line (the
# global options, the commands and their options) and phoenix's own
# commands, container ids from `phoenix list -q` (with the --root given),
# signal names for `kill`, and the values of the options that have a fixed
# set of them.

# Every command phoenix knows: runc's, then phoenix's own.
_phoenix_commands='checkpoint create delete events exec features help kill list pause ps restore resume run spec start state update check denials learn gc hook'

# Global options: flags, and those that take a value.
_phoenix_global_flags='--debug --systemd-cgroup --help -h --version -v'
_phoenix_global_valued='--root --log --log-format --log-level --criu --cgroup-manager --rootless'

# The options of command $1 that take no value.
_phoenix_command_flags() {
	case $1 in
	checkpoint) echo --leave-running --tcp-established --ext-unix-sk --shell-job \
		--lazy-pages --file-locks --pre-dump --auto-dedup ;;
	create) echo --no-pivot --no-new-keyring ;;
	delete) echo --force -f ;;
	events) echo --stats ;;
	exec) echo --tty -t --detach -d --no-new-privs --ignore-paused ;;
	kill) echo --all -a ;;
	list) echo --quiet -q ;;
	restore) echo --tcp-established --ext-unix-sk --shell-job --file-locks --detach -d \
		--no-subreaper --no-pivot --auto-dedup --lazy-pages ;;
	run) echo --detach -d --keep --no-subreaper --no-pivot --no-new-keyring ;;
	spec) echo --rootless ;;
	check) echo --json ;;
	gc) echo --dry-run -n ;;
	denials) echo --json --follow -f --all -a ;;
	learn) echo --dry-run --force --allow-gaps ;;
	esac
	case $1 in
	check | gc | hook | features | help) ;;
	*) echo --help -h ;;
	esac
}

# The options of command $1 that take a value.
_phoenix_command_valued() {
	case $1 in
	checkpoint) echo --image-path --work-path --parent-path --status-fd --page-server \
		--manage-cgroups-mode --empty-ns ;;
	create) echo --bundle -b --console-socket --pid-file --preserve-fds ;;
	events) echo --interval ;;
	exec) echo --console-socket --cwd --env -e --user -u --additional-gids -g \
		--process -p --pid-file --process-label --apparmor --cap -c --preserve-fds \
		--cgroup ;;
	list | ps) echo --format -f ;;
	restore) echo --console-socket --image-path --work-path --manage-cgroups-mode \
		--bundle -b --pid-file --empty-ns --lsm-profile --lsm-mount-context ;;
	run) echo --bundle -b --console-socket --pid-file --preserve-fds ;;
	spec) echo --bundle -b ;;
	update) echo --resources -r --blkio-weight --cpu-period --cpu-quota --cpu-share \
		--cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --memory \
		--memory-reservation --memory-swap --pids-limit --l3-cache-schema \
		--mem-bw-schema ;;
	denials) echo --source --root ;;
	learn) echo --source --root --base ;;
	esac
}

# Is word $1 in the list $2?
_phoenix_in() {
	local w
	for w in $2; do
		[[ $w == "$1" ]] && return 0
	done
	return 1
}

# COMPREPLY from the words $1 that begin with $cur.
_phoenix_reply() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_phoenix_reply_files() {
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	compopt -o filenames 2>/dev/null
}

_phoenix_reply_dirs() {
	mapfile -t COMPREPLY < <(compgen -d -- "$cur")
	compopt -o filenames 2>/dev/null
}

# Container ids, from `phoenix [--root DIR] list -q`.
_phoenix_reply_ids() {
	local prog=${words[0]}
	# shellcheck disable=SC2088 # the word as typed: expand its `~/` here
	[[ $prog == "~/"* ]] && prog=$HOME/${prog#"~/"}
	local -a args=(list -q)
	[[ -n $root ]] && args=(--root "$root" list -q)
	_phoenix_reply "$("$prog" "${args[@]}" 2>/dev/null)"
}

_phoenix_reply_signals() {
	local sigs
	sigs=$(compgen -A signal)
	if [[ $cur != SIG* ]]; then
		sigs=${sigs//SIG/}
	fi
	_phoenix_reply "$sigs"
}

# The value of option $1 (the command $2, empty for a global option).
_phoenix_value() {
	case $1 in
	--log-format) _phoenix_reply 'text json' ;;
	--log-level) _phoenix_reply 'debug warning error' ;;
	--cgroup-manager) _phoenix_reply 'cgroupfs systemd disabled' ;;
	--rootless) _phoenix_reply 'true false auto' ;;
	--root | --bundle | -b | --image-path | --work-path | --parent-path | --cwd)
		_phoenix_reply_dirs ;;
	--log | --criu | --console-socket | --pid-file | --process | -p | --resources | -r)
		_phoenix_reply_files ;;
	--format | -f)
		[[ $2 == list || $2 == ps ]] && _phoenix_reply 'table json' ;;
	--manage-cgroups-mode) _phoenix_reply 'soft full strict' ;;
	--source)
		_phoenix_reply 'auto kmsg audit journal -'
		local -a files
		mapfile -t files < <(compgen -f -- "$cur")
		COMPREPLY+=("${files[@]}")
		compopt -o filenames 2>/dev/null
		;;
	--cap | -c)
		_phoenix_reply 'CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_BLOCK_SUSPEND
			CAP_BPF CAP_CHECKPOINT_RESTORE CAP_CHOWN CAP_DAC_OVERRIDE
			CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_IPC_OWNER
			CAP_KILL CAP_LEASE CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN CAP_MAC_OVERRIDE
			CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST
			CAP_NET_RAW CAP_PERFMON CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID
			CAP_SYSLOG CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_CHROOT CAP_SYS_MODULE
			CAP_SYS_NICE CAP_SYS_PACCT CAP_SYS_PTRACE CAP_SYS_RAWIO
			CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_WAKE_ALARM' ;;
	*) COMPREPLY=() ;;
	esac
}

# The command line as the user wrote it: bash splits `--opt=value` at the
# `=` (COMP_WORDBREAKS); join such pieces again.  Sets words and cword.
_phoenix_join_words() {
	words=()
	cword=0
	local i w n=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((n > 0)) && [[ $w == "=" && ${words[n - 1]} == -* && ${words[n - 1]} != *=* ]]; then
			words[n - 1]+="="
			((i == COMP_CWORD)) && cword=$((n - 1))
			if ((i + 1 < ${#COMP_WORDS[@]} && i + 1 <= COMP_CWORD)); then
				((i++))
				words[n - 1]+=${COMP_WORDS[i]}
				((i == COMP_CWORD)) && cword=$((n - 1))
			fi
			continue
		fi
		words[n]=$w
		((i == COMP_CWORD)) && cword=$n
		((n++))
	done
	((cword >= n)) && words[cword]=""
}

_phoenix() {
	local -a words
	local cword cur root='' cmd='' cmd_index=0 i w
	_phoenix_join_words
	cur=${words[cword]}

	# the global options, up to the command
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--root=* | -root=*) root=${w#*=} ;;
		--root | -root) ((i + 1 < cword)) && root=${words[i + 1]} ;;
		esac
		if [[ $w == -* ]]; then
			# runc takes -name like --name
			[[ $w == -[!-]?* ]] && w=-$w
			if [[ $w == *=* ]] || _phoenix_in "$w" "$_phoenix_global_flags"; then
				continue
			fi
			if _phoenix_in "$w" "$_phoenix_global_valued"; then
				((i++))
			elif ((i + 1 < cword)) && [[ ${words[i + 1]} != -* ]] &&
				! _phoenix_in "${words[i + 1]}" "$_phoenix_commands h"; then
				# an option phoenix does not know takes the next
				# word as its value unless that is a command
				((i++))
			fi
			continue
		fi
		cmd=$w
		cmd_index=$i
		break
	done

	# `--opt=value`: complete the value
	if [[ $cur == -*=* ]]; then
		local opt=${cur%%=*}
		cur=${cur#*=}
		_phoenix_value "$opt" "$cmd"
		if [[ ${COMP_WORDS[COMP_CWORD]} == -*=* ]]; then
			# COMP_WORDBREAKS has no `=`: bash replaces the whole word
			local j
			for j in "${!COMPREPLY[@]}"; do
				COMPREPLY[j]=$opt=${COMPREPLY[j]}
			done
		fi
		return 0
	fi

	if [[ -z $cmd ]]; then
		local prev=${words[cword - 1]}
		[[ $prev == -[!-]?* ]] && prev=-$prev
		if ((cword > 1)) && [[ $prev == -* && $prev != *=* ]] &&
			_phoenix_in "$prev" "$_phoenix_global_valued"; then
			_phoenix_value "$prev" ""
		elif [[ $cur == -* ]]; then
			_phoenix_reply "$_phoenix_global_flags $_phoenix_global_valued"
		else
			_phoenix_reply "$_phoenix_commands"
		fi
		return 0
	fi

	# the command's words up to the cursor: options, their values and the
	# positional arguments
	local flags valued npos=0 dashdash=
	flags=$(_phoenix_command_flags "$cmd")
	valued=$(_phoenix_command_valued "$cmd")
	for ((i = cmd_index + 1; i < cword; i++)); do
		w=${words[i]}
		if [[ -n $dashdash || $w != -* || $w == - ]]; then
			((npos++))
			# exec: the words after the id belong to the process
			[[ $cmd == exec ]] && ((npos >= 1)) && dashdash=1
			continue
		fi
		case $w in
		--) dashdash=1 ;;
		--root=*) [[ $cmd == denials ]] && root=${w#*=} ;;
		*=*) ;;
		*)
			if _phoenix_in "$w" "$valued"; then
				[[ $cmd == denials && $w == --root ]] && root=${words[i + 1]}
				((i++))
			fi
			;;
		esac
	done

	local prev=${words[cword - 1]}
	if ((cword - 1 > cmd_index)) && [[ -z $dashdash && $prev == -* && $prev != *=* ]] &&
		_phoenix_in "$prev" "$valued"; then
		_phoenix_value "$prev" "$cmd"
		return 0
	fi

	if [[ -z $dashdash && $cur == -* ]]; then
		_phoenix_reply "$flags $valued"
		return 0
	fi

	case $cmd in
	checkpoint | delete | events | pause | ps | resume | start | state | update)
		((npos == 0)) && _phoenix_reply_ids ;;
	exec)
		if ((npos == 0)); then
			_phoenix_reply_ids
		else
			_phoenix_reply_files
		fi
		;;
	kill)
		if ((npos == 0)); then
			_phoenix_reply_ids
		elif ((npos == 1)); then
			_phoenix_reply_signals
		fi
		;;
	denials) ((npos == 0)) && _phoenix_reply_ids ;;
	learn) ((npos == 0)) && _phoenix_reply_ids ;;
	hook) ((npos == 0)) && _phoenix_reply 'poststop' ;;
	help | h) ((npos == 0)) && _phoenix_reply "$_phoenix_commands" ;;
	*) COMPREPLY=() ;;
	esac
	return 0
}

complete -F _phoenix phoenix
