# phoenix: an AppArmor policy-namespace shim for OCI runtimes.
#
#   make demo     install what is needed, build, run the real-kernel demonstration
#   make check    install what is needed, build, run every test
#   make          build build/phoenix (statically linked; LINK=dynamic for shared libraries)
#   make install  PREFIX=/usr/local DESTDIR= (README, "Installing")
#   make deb      build the Debian packages phoenix and phoenix-host (debian/)

VERSION    := 0.1.0
# The directories compiled into phoenix or written into the installed
# scripts and configuration.  $(BUILD)/paths.h records them on every make
# and changes only when one does, so changing any of them between `make`
# and `make install` rebuilds everything that depends on them.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/phoenix
DATADIR    ?= $(PREFIX)/share/phoenix
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# systemd reads units from /usr/local/lib/systemd/system too (systemd.unit(5))
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR    ?=
PATH_VARS  := PREFIX BINDIR SBINDIR LIBEXECDIR DATADIR MANDIR BASHCOMPDIR TMPFILESDIR UNITDIR SYSCONFDIR

# Debian packages the build, the tests and the VM need.  `make deps`
# installs only those missing (apt-get, as root).
BUILD_PKGS := gcc make pkg-config libyajl-dev libapparmor-dev libcap-dev libseccomp-dev
TEST_PKGS  := runc crun bats bats-assert bats-support busybox-static jq valgrind clang man-db groff-base \
              libclang-rt-14-dev apparmor apparmor-utils shellcheck clang-format
VM_PKGS    := qemu-system-x86 kmod xz-utils zstd cpio lxc docker.io containerd podman \
              uidmap iptables mmdebstrap e2fsprogs
# what `make deb` needs besides BUILD_PKGS (`make deb-deps`; the tests
# build the packages too)
DEB_PKGS   := dpkg-dev debhelper dh-apparmor fakeroot lintian
ALL_PKGS   := $(BUILD_PKGS) $(TEST_PKGS) $(VM_PKGS) $(DEB_PKGS)

# The source tree, lowest layer first (README, "Layout"): a folder's code
# includes from its own folder and the ones before it (make check-includes).
SRC_DIRS   := lib runtime-spec shim/aa shim/seccomp shim/audit shim/core shim/cmd
SRC_INCS   := $(patsubst %,-I%,$(SRC_DIRS))
ifneq ($(wildcard shim/*.c shim/*.h),)
$(error $(wildcard shim/*.c shim/*.h): a source file belongs in one of $(SRC_DIRS))
endif

PKGS_LIBS  := yajl libapparmor libcap libseccomp
CC         ?= gcc
BUILD      ?= build
SAN        ?=

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS_LIBS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS_LIBS) 2>/dev/null)
# phoenix itself is linked statically by default: it is exec'd for every
# runtime command, and the dynamic loader is most of its start-up cost
# (README, "Benchmarks").  LINK=dynamic links the shared libraries, as
# the sanitizer and valgrind builds must.
LINK       ?= static
STATIC_LIBS := -static -l:libyajl_s.a -lapparmor -lcap -lseccomp

CFLAGS     ?= -O2 -g
WARN       := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
ALL_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -DPHOENIX_VERSION='"$(VERSION)"' \
              $(SRC_INCS) $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(EXTRA_LDFLAGS)

ifeq ($(SAN),1)
BUILD      := build-san
LINK       := dynamic
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -DPHOENIX_FAULT_INJECTION
ALL_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(FAULTS),1)
BUILD      := build-faults
ALL_CFLAGS += -DPHOENIX_FAULT_INJECTION
endif
ifeq ($(LINK),dynamic)
PHOENIX_LIBS := $(PKG_LIBS)
ifeq ($(BUILD),build)
BUILD      := build-dynamic
endif
else
PHOENIX_LIBS := $(STATIC_LIBS)
endif

LIB_SRCS   := $(filter-out shim/cmd/main.c,$(wildcard $(patsubst %,%/*.c,$(SRC_DIRS))))
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ   := $(BUILD)/obj/shim/cmd/main.o
TEST_SRCS  := $(wildcard tests/unit/test_*.c)
TEST_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
# every object of this build sees the directories it was built for
ALL_CFLAGS += -include $(BUILD)/paths.h
# Each compile writes the headers it read (paths.h among them) to a .d file
# beside its output, included below: changing a header rebuilds exactly
# the objects and programs that include it.  -MP adds an empty rule per
# header, so that a header removed or renamed does not stop the build.
DEPFLAGS    = -MMD -MP -MF $@.d -MT $@

.PHONY: all deps check gates check-includes check-format shellcheck demo unit bats integration sanitize valgrind install install-files deb deb-deps clean format lint bench fuzz fuzz-long FORCE

all: $(BUILD)/phoenix $(BUILD)/kernelfs-probe

# The host-profile tests' probe of detached kernel filesystems
# (integration/tests/phoenix-lxc.bats): static, it runs inside LXC
# containers.
$(BUILD)/kernelfs-probe: integration/tools/kernelfs-probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE $(CFLAGS) -static -o $@ $<

# The directories this build is for, as C macros (PHOENIX_DATADIR, …),
# rewritten only when one of them changed.  A path with a character
# outside [A-Za-z0-9_./+-] is refused: the paths go into C strings, sed
# substitutions and LXC hook commands (which LXC splits on whitespace).
$(BUILD)/paths.h: FORCE
	@mkdir -p $(dir $@)
	@set -e; for v in $(foreach v,$(PATH_VARS),'$(v)=$($(v))'); do \
		case $${v#*=} in /*) ;; *) echo "$${v%%=*} must be an absolute path, not \`$${v#*=}'" >&2; exit 1 ;; esac; \
		case $${v#*=} in *[!A-Za-z0-9_./+-]*) echo "$${v%%=*}: \`$${v#*=}' has a character outside [A-Za-z0-9_./+-]" >&2; exit 1 ;; esac; \
		printf '#define PHOENIX_%s "%s"\n' "$${v%%=*}" "$${v#*=}"; done >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else \
		[ ! -f $@ ] || echo "the installation directories changed since the last build: rebuilding"; \
		mv -f $@.tmp $@; fi

$(BUILD)/obj/%.o: %.c $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/libphoenix.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/phoenix: $(MAIN_OBJ) $(BUILD)/libphoenix.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PHOENIX_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libphoenix.a $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/unit -o $@ $< $(BUILD)/libphoenix.a $(ALL_LDFLAGS) $(PKG_LIBS)

deps:
	@missing=$$(for p in $(ALL_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

unit: $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

bats: $(BUILD)/phoenix
	PHOENIX_BIN=$(CURDIR)/$(BUILD)/phoenix bats tests/bats

sanitize:
	$(MAKE) SAN=1 unit bats

# the fault-injection suite runs a build with PHOENIX_FAULT compiled in
# Debian 12 (the host's root) runs every suite; each release in
# INTEGRATION_RELEASES (Debian 13 and unstable: their own kernel and a guest
# root of their own, built on the first run and cached) runs the demo and
# RELEASE_SUITES, and the nested LXC scene (phoenix-lxc.bats) on the
# releases in LXC_RELEASES: unstable by default (the newest stack: kernel
# 7.2, runc 1.3, Docker 28, LXC 7; 27/27 in 383 s, 2026-12-07), not Debian
# 13 (25/25 in 536 s), which keeps `make check` within its hour
# (README, "Tested versions": `make integration LXC_RELEASES="trixie sid"`).
# Each release's lap (wall time) is printed.
INTEGRATION_RELEASES ?= trixie sid
RELEASE_SUITES ?= integration/tests/phoenix-core.bats \
                  integration/tests/phoenix-ops.bats
LXC_RELEASES ?= sid
integration: $(BUILD)/phoenix
	$(MAKE) FAULTS=1 all
	@t=$$(date +%s) rc=0; integration/run-suite.sh || rc=$$?; \
		echo "# == lap bookworm: $$(($$(date +%s) - t)) s, status $$rc"; exit $$rc
	@for r in $(INTEGRATION_RELEASES); do \
		t=$$(date +%s) rc=0; echo "# == release $$r"; \
		s="$(RELEASE_SUITES)"; case " $(LXC_RELEASES) " in *" $$r "*) \
			s="$$s integration/tests/phoenix-lxc.bats";; esac; \
		PHOENIX_RELEASE=$$r integration/demo.sh && \
		PHOENIX_RELEASE=$$r integration/run-suite.sh $$s || rc=$$?; \
		echo "# == lap $$r: $$(($$(date +%s) - t)) s, status $$rc"; \
		[ $$rc = 0 ] || exit $$rc; \
	done

# The fast gates, first in `make check` so that it fails in seconds, not
# after the build and the suites:
#  - check-includes: includes go downward, from each folder of SRC_DIRS to
#    itself and the ones before it (tests/check-includes.sh);
#  - check-format: every .c and .h of the repository as .clang-format has
#    it (`make format` rewrites them);
#  - shellcheck: every shell file, found by its shebang (tests/shellcheck.sh),
#    at severity warning: errors and warnings fail.  The info level is left
#    out on purpose: nearly all of it is SC2016 (`$` in single quotes), and
#    in this repository single-quoted `$` is code for another shell — the
#    script of a `sh -c` inside a container or the VM
#    (integration/tests/phoenix-lxc.bats' ESCAPE_SCRIPT, KFS_ATTACK, …), a jq
#    program's `$v`, backquotes in an expected message — which expanding
#    would break.  The other infos were read and fixed where they were real
#    (a `!` that could not fail a bats test).
FORMAT_SRCS := $(shell git ls-files --cached --others --exclude-standard -- '*.c' '*.h' 2>/dev/null)
ifeq ($(FORMAT_SRCS),)
FORMAT_SRCS := $(shell find . -name '*.[ch]' -not -path './build*' -not -path './.git/*')
endif
gates: check-includes check-format shellcheck
check-includes:
	tests/check-includes.sh $(SRC_DIRS)
check-format:
	clang-format --dry-run --Werror $(FORMAT_SRCS)
shellcheck:
	tests/shellcheck.sh --severity=warning

# The test command (README, .ci/run): the gates, then every suite, the
# real-kernel one last.
# Where the time goes: each step's wall time is printed as it ends
# ("# == step NAME: N s"), and all of them again at the end.
CHECK_STEPS := gates all unit bats sanitize fuzz valgrind integration
check: deps
	@t0=$$(date +%s) sum=""; for s in $(CHECK_STEPS); do \
		t=$$(date +%s); $(MAKE) $$s || { echo "# == step $$s: failed after $$(($$(date +%s) - t)) s"; exit 1; }; \
		d="# == step $$s: $$(($$(date +%s) - t)) s"; echo "$$d"; sum="$$sum$$d\n"; \
	done; printf "$$sum"; echo "# == make check: $$(($$(date +%s) - t0)) s"

demo: deps
	$(MAKE) all
	integration/demo.sh

# What `make install` and the Debian packages install (README,
# "Installing"): never the test profiles (phoenix-test-*) or test helpers.
not_test      = $(foreach f,$(1),$(if $(findstring /phoenix-test-,$(f)),,$(f)))
CT_PROFILES   := $(call not_test,$(wildcard profiles/container/phoenix-*))
CT_SUPPORT    := $(call not_test,$(wildcard profiles/container/abstractions/*))
HOST_PROFILES := $(call not_test,$(wildcard profiles/host/lxc-*))
HOST_ABSTRACTIONS := $(call not_test,$(wildcard profiles/host/abstractions/*))
HOST_TUNABLES := $(call not_test,$(wildcard profiles/host/tunables/*))
HOST_SCRIPTS  := phoenix-host-profiles phoenix-lxc-config phoenix-engine-setup
SCRIPTS       := $(patsubst %,$(BUILD)/scripts/%,$(HOST_SCRIPTS) phoenix-lxc-ns)
UNITS         := $(BUILD)/systemd/phoenix-relay.service

# The scripts as installed: the paths they find their files by are the
# installed ones, not the checkout's.  Each substitution must match one
# line of the script, or the build stops.
# subst_line FILE FROM-REGEX TO-TEXT
subst_line = sed -e 's\#$(2)\#$(3)\#' $(1) >$@.tmp && grep -qxF -- '$(3)' $@.tmp || \
	{ rm -f $@.tmp; echo '$(1): no line matches "$(2)" (the installed path cannot be set)' >&2; exit 1; }

$(BUILD)/scripts/phoenix-lxc-config: hooks/phoenix-lxc-config $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(call subst_line,$<,^hook=\$$here/phoenix-lxc-ns$$,hook=$(LIBEXECDIR)/phoenix-lxc-ns)
	chmod 0755 $@.tmp && mv -f $@.tmp $@

$(BUILD)/scripts/phoenix-host-profiles: hooks/phoenix-host-profiles $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(call subst_line,$<,^src_dirs=(.*)$$,src_dirs=("$(DATADIR)/profiles/host"))
	chmod 0755 $@.tmp && mv -f $@.tmp $@

$(BUILD)/scripts/phoenix-engine-setup: hooks/phoenix-engine-setup $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(call subst_line,$<,^	\[\[ -n \$$phoenix \]\] || phoenix=/usr/local/bin/phoenix$$,	[[ -n $$phoenix ]] || phoenix=$(BINDIR)/phoenix)
	chmod 0755 $@.tmp && mv -f $@.tmp $@

$(BUILD)/scripts/phoenix-lxc-ns: hooks/phoenix-lxc-ns
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

# the relay's unit runs the phoenix of this build's BINDIR
$(BUILD)/systemd/phoenix-relay.service: hooks/systemd/phoenix-relay.service $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(call subst_line,$<,^ExecStart=/usr/bin/phoenix relay$$,ExecStart=$(BINDIR)/phoenix relay)
	mv -f $@.tmp $@

# the example configuration: every key at its default, for this build's paths
$(BUILD)/phoenix.json: etc/phoenix.json.in $(BUILD)/paths.h
	sed -e 's|@DATADIR@|$(DATADIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< >$@.tmp && mv -f $@.tmp $@

install-files: $(BUILD)/phoenix $(SCRIPTS) $(UNITS) $(BUILD)/phoenix.json

install: install-files
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(DATADIR)/profiles/container/abstractions \
		$(DESTDIR)$(DATADIR)/profiles/host/abstractions $(DESTDIR)$(DATADIR)/profiles/host/tunables \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/phoenix
	install -m 0755 $(BUILD)/phoenix $(DESTDIR)$(BINDIR)/phoenix
	install -m 0644 $(CT_PROFILES) $(DESTDIR)$(DATADIR)/profiles/container/
	install -m 0644 $(CT_SUPPORT) $(DESTDIR)$(DATADIR)/profiles/container/abstractions/
	install -m 0644 $(HOST_PROFILES) $(DESTDIR)$(DATADIR)/profiles/host/
	install -m 0644 $(HOST_ABSTRACTIONS) $(DESTDIR)$(DATADIR)/profiles/host/abstractions/
	install -m 0644 $(HOST_TUNABLES) $(DESTDIR)$(DATADIR)/profiles/host/tunables/
	install -m 0755 $(patsubst %,$(BUILD)/scripts/%,$(HOST_SCRIPTS)) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BUILD)/scripts/phoenix-lxc-ns $(DESTDIR)$(LIBEXECDIR)/phoenix-lxc-ns
	install -m 0644 man/phoenix.1 $(DESTDIR)$(MANDIR)/man1/phoenix.1
	install -m 0644 man/phoenix.json.5 $(DESTDIR)$(MANDIR)/man5/phoenix.json.5
	install -m 0644 completion/phoenix.bash $(DESTDIR)$(BASHCOMPDIR)/phoenix
	install -m 0644 etc/tmpfiles.d/phoenix.conf $(DESTDIR)$(TMPFILESDIR)/phoenix.conf
	install -m 0644 $(UNITS) $(DESTDIR)$(UNITDIR)/
	@# an operator's configuration is never overwritten
	[ -e $(DESTDIR)$(SYSCONFDIR)/phoenix/phoenix.json ] || \
		install -m 0644 $(BUILD)/phoenix.json $(DESTDIR)$(SYSCONFDIR)/phoenix/phoenix.json

# The Debian packages (debian/), into the parent directory as
# dpkg-buildpackage does.
deb-deps:
	@missing=$$(for p in $(BUILD_PKGS) $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deb: deb-deps
	dpkg-buildpackage -us -uc -b

format:
	clang-format -i $(FORMAT_SRCS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		-D_GNU_SOURCE $(SRC_INCS) $(SRC_DIRS)

clean:
	rm -rf build build-*

# benchmarks, fuzzing and the valgrind run live beside their files
-include bench/bench.mk
-include tests/fuzz/fuzz.mk

# the headers each object and program was last built from (DEPFLAGS)
DEP_TARGETS := $(LIB_OBJS) $(MAIN_OBJ) $(TEST_BINS) $(FUZZ_LIB_OBJS) $(FUZZ_BINS) \
               $(BENCH_BUILD)/bench_exec $(BENCH_BUILD)/bench_aa
-include $(wildcard $(patsubst %,%.d,$(DEP_TARGETS)))
# A target that exists without its .d file (built before the build wrote
# them, or its .d lost) has no record of its headers: build it again once.
$(foreach t,$(DEP_TARGETS),$(if $(wildcard $(t)),$(if $(wildcard $(t).d),,$(eval $(t): FORCE))))
