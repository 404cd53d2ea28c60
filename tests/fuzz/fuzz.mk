# phoenix: libFuzzer targets (included by the top-level Makefile).
#
#   make fuzz        replay tests/fuzz/regressions, then fuzz each target
#                    for FUZZ_SECONDS (25 s; part of `make check`)
#   make fuzz-long   the same for FUZZ_LONG_SECONDS (600 s) per target
#   make fuzz-build  only build build-fuzz/fuzz_*
#
# The library sources are compiled again with clang and
# -fsanitize=fuzzer-no-link,address,undefined (not the gcc-built
# libphoenix.a), the harnesses with -fsanitize=fuzzer,address,undefined.

FUZZ_CC           ?= clang
FUZZ_BUILD        := build-fuzz
FUZZ_TARGETS      := spec config cli audit relay
FUZZ_SECONDS      ?= 25
FUZZ_LONG_SECONDS ?= 600
FUZZ_SAN          := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS        = $(filter-out -O2,$(ALL_CFLAGS)) -O1 -gline-tables-only $(FUZZ_SAN)
FUZZ_LIB_OBJS     := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRCS))
FUZZ_BINS         := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-long fuzz-build

$(FUZZ_BUILD)/obj/%.o: %.c $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/libphoenix-fuzz.a: $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libphoenix-fuzz.a $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libphoenix-fuzz.a \
		$(ALL_LDFLAGS) $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh --build $(FUZZ_BUILD) --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-long: $(FUZZ_BINS)
	tests/fuzz/run.sh --build $(FUZZ_BUILD) --seconds $(FUZZ_LONG_SECONDS) $(FUZZ_TARGETS)

# valgrind: the CLI bats suite (all but profiles.bats) with phoenix under
# memcheck, and every unit test binary; any error or definite/indirect
# leak fails.
.PHONY: valgrind
# memcheck replaces malloc only in a dynamically linked program: phoenix
# is built with LINK=dynamic for it (build-dynamic/)
valgrind: $(TEST_BINS)
	$(MAKE) LINK=dynamic all
	tests/valgrind.sh --phoenix build-dynamic/phoenix --logs build-dynamic/valgrind --unit $(TEST_BINS)
