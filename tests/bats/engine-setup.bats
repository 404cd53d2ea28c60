#!/usr/bin/env bats
# hooks/phoenix-engine-setup's BuildKit setting, below --root (no engine is
# run): Docker 25 and later get a systemd drop-in that names phoenix as
# BuildKit's runc command (DOCKER_BUILDKIT_RUNC_COMMAND, read by moby's
# builder/builder-next/executor_linux.go); Docker 24 and earlier have no
# such setting, and an old drop-in is removed.  That a real dockerd's
# version is read, and what BuildKit's RUN steps get under Docker 20.10, is
# shown in integration/tests/phoenix-packages.bats.

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SETUP=$REPO/hooks/phoenix-engine-setup

setup() {
	W=$(mktemp -d "${BATS_TMPDIR:-/tmp}/phoenix-engine-setup.XXXXXX")
	DROPIN=$W/etc/systemd/system/docker.service.d/50-phoenix-buildkit.conf
}

teardown() {
	rm -rf "$W"
}

@test "Docker 25 and later: a drop-in sets DOCKER_BUILDKIT_RUNC_COMMAND to phoenix; a second run changes nothing" {
	run "$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix --docker-version 26
	assert_success
	assert_line "phoenix-engine-setup: wrote      $DROPIN"
	assert_line --partial 'Docker 26: BuildKit runs RUN steps with /usr/bin/phoenix'
	run grep -v '^#' "$DROPIN"
	assert_output $'[Service]\nEnvironment=DOCKER_BUILDKIT_RUNC_COMMAND=/usr/bin/phoenix'
	run jq -r .runtimes.phoenix.path "$W/etc/docker/daemon.json"
	assert_output /usr/bin/phoenix
	run "$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix --docker-version 25
	assert_success
	assert_line "phoenix-engine-setup: unchanged  $DROPIN"
	assert_line 'phoenix-engine-setup: nothing changed'
}

@test "Docker 24 and earlier: no drop-in, the reason said, an old one removed" {
	run "$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix --docker-version 20
	assert_success
	assert_line --partial 'Docker 20 runs BuildKit'"'"'s RUN steps (docker build) with runc from dockerd'"'"'s PATH, not phoenix'
	[ ! -e "$DROPIN" ]
	"$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix --docker-version 27 >/dev/null
	[ -f "$DROPIN" ]
	run "$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix --docker-version 24
	assert_success
	assert_line "phoenix-engine-setup: removed    $DROPIN"
	[ ! -e "$DROPIN" ]
}

@test "below --root without --docker-version: no drop-in (the image's dockerd is not run)" {
	run "$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix
	assert_success
	assert_line --partial "Docker's version is unknown"
	[ ! -e "$DROPIN" ]
	[ -f "$W/etc/docker/daemon.json" ]
}

@test "--docker-version that is not a number is refused before anything is written" {
	run "$SETUP" --docker --root "$W" --phoenix /usr/bin/phoenix --docker-version 25.0
	assert_failure
	assert_output --partial "--docker-version wants Docker's major version number, not \`25.0\`"
	run find "$W" -mindepth 1
	assert_output ''
}
