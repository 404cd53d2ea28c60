# phoenix: an AppArmor policy-namespace shim for OCI runtimes.
#
#   make demo     install what is needed, build, run the real-kernel demonstration
#   make check    install what is needed, build, run every test
#   make          build build/phoenix (statically linked; LINK=dynamic for shared libraries)
#   make install  PREFIX=/usr/local DESTDIR=

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/phoenix
DATADIR    ?= $(PREFIX)/share/phoenix
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

# Debian packages the build, the tests and the VM need.  `make deps`
# installs only those missing (apt-get, as root).
BUILD_PKGS := gcc make pkg-config libyajl-dev libapparmor-dev libcap-dev libseccomp-dev
TEST_PKGS  := runc crun bats bats-assert bats-support busybox-static jq valgrind clang man-db groff-base \
              libclang-rt-14-dev apparmor apparmor-utils
VM_PKGS    := qemu-system-x86 kmod xz-utils zstd cpio lxc docker.io containerd podman \
              uidmap iptables mmdebstrap e2fsprogs
ALL_PKGS   := $(BUILD_PKGS) $(TEST_PKGS) $(VM_PKGS)

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
              -DPHOENIX_DATADIR='"$(DATADIR)"' -DPHOENIX_SYSCONFDIR='"$(SYSCONFDIR)"' \
              -Ishim -Ishim/aa -Iruntime-spec $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
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

LIB_SRCS   := $(filter-out shim/main.c,$(wildcard shim/*.c shim/aa/*.c runtime-spec/*.c))
LIB_OBJS   := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ   := $(BUILD)/obj/shim/main.o
TEST_SRCS  := $(wildcard tests/unit/test_*.c)
TEST_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
HDRS       := $(wildcard shim/*.h shim/aa/*.h runtime-spec/*.h tests/unit/*.h tests/unit/aa-fixtures/*.h)

.PHONY: all deps check demo unit bats integration sanitize valgrind install clean format lint bench fuzz fuzz-long

all: $(BUILD)/phoenix $(BUILD)/kernelfs-probe

# The host-profile tests' probe of detached kernel filesystems
# (integration/tests/phoenix-lxc.bats): static, it runs inside LXC
# containers.
$(BUILD)/kernelfs-probe: integration/tools/kernelfs-probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE $(CFLAGS) -static -o $@ $<

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libphoenix.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/phoenix: $(MAIN_OBJ) $(BUILD)/libphoenix.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PHOENIX_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libphoenix.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libphoenix.a $(ALL_LDFLAGS) $(PKG_LIBS)

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
# INTEGRATION_RELEASES (trixie, sid: a guest root of their own, built once
# and cached) runs the demo and RELEASE_SUITES.
INTEGRATION_RELEASES ?=
RELEASE_SUITES ?= integration/tests/phoenix-core.bats integration/tests/vm-apparmor.bats
integration: $(BUILD)/phoenix
	$(MAKE) FAULTS=1 all
	integration/run-suite.sh
	@set -e; for r in $(INTEGRATION_RELEASES); do \
		echo "# == release $$r"; \
		PHOENIX_RELEASE=$$r integration/demo.sh; \
		PHOENIX_RELEASE=$$r integration/run-suite.sh $(RELEASE_SUITES); \
	done

# The test command (README, .ci/run): every suite, the real-kernel one last.
check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) bats
	$(MAKE) sanitize
	$(MAKE) fuzz
	$(MAKE) valgrind
	$(MAKE) integration

demo: deps
	$(MAKE) all
	integration/demo.sh

install: $(BUILD)/phoenix
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/profiles $(DESTDIR)$(DATADIR)/hooks \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BUILD)/phoenix $(DESTDIR)$(BINDIR)/phoenix
	cp -R profiles/container profiles/host $(DESTDIR)$(DATADIR)/profiles/
	for f in hooks/phoenix-*; do [ ! -f "$$f" ] || install -m 0755 "$$f" $(DESTDIR)$(DATADIR)/hooks/; done
	[ ! -f man/phoenix.1 ] || install -m 0644 man/phoenix.1 $(DESTDIR)$(MANDIR)/man1/phoenix.1
	[ ! -f man/phoenix.json.5 ] || install -m 0644 man/phoenix.json.5 $(DESTDIR)$(MANDIR)/man5/phoenix.json.5
	[ ! -f completion/phoenix.bash ] || install -m 0644 completion/phoenix.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/phoenix

format:
	clang-format -i $(wildcard shim/*.[ch] shim/aa/*.[ch] runtime-spec/*.[ch] tests/unit/*.[ch])

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		-D_GNU_SOURCE -Ishim -Ishim/aa -Iruntime-spec shim runtime-spec

clean:
	rm -rf build build-*

# benchmarks, fuzzing and the valgrind run live beside their files
-include bench/bench.mk
-include tests/fuzz/fuzz.mk
