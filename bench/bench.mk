# phoenix: benchmarks (included by the top-level Makefile).
#
#   make bench        pass-through on this machine, then the AppArmor path
#                     in the integration VM (create/delete cycles sized to
#                     ~5 min); prints Markdown, kept in build-bench/RESULTS.md
#   make bench-host   only the pass-through part
#   make bench-vm     only the VM part
#   make bench-long   the VM part with 1000 create/delete cycles
#   make bench-lxc    only `docker run` inside LXC container 951, phoenix
#                     against the release's runc (PHOENIX_RELEASE picks it)
#
# Nothing here passes or fails on speed: only a command that fails, or a
# namespace left behind, fails the run.

BENCH_BUILD        := build-bench
BENCH_HOST_ROUNDS  ?= 300
BENCH_VM_ROUNDS    ?= 100
# `docker run` rounds inside LXC container 951 (bench/lxc-bench.sh; 0: none)
BENCH_LXC_ROUNDS   ?= 20
BENCH_CYCLES       ?= auto
BENCH_CYCLE_BUDGET ?= 300
BENCH_PARALLEL     ?= 64
BENCH_VM_TIMEOUT   ?= 2400
BENCH_TOOLS        := $(BENCH_BUILD)/noop $(BENCH_BUILD)/bench_exec $(BENCH_BUILD)/bench_aa \
                      phoenix-dynamic

.PHONY: bench bench-host bench-vm bench-long bench-lxc bench-tools

$(BENCH_BUILD)/noop: bench/noop.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

$(BENCH_BUILD)/bench_exec: bench/bench_exec.c $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $<

$(BENCH_BUILD)/bench_aa: bench/bench_aa.c $(BUILD)/libphoenix.a $(BUILD)/paths.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< $(BUILD)/libphoenix.a $(ALL_LDFLAGS) $(PKG_LIBS)

# phoenix linked against the shared libraries (build-dynamic/), for comparison
.PHONY: phoenix-dynamic
phoenix-dynamic:
	$(MAKE) LINK=dynamic all

bench-tools: $(BUILD)/phoenix $(BENCH_TOOLS)

BENCH_ARGS = --build $(BUILD) --tools $(BENCH_BUILD) --alt build-dynamic/phoenix \
	--host-rounds $(BENCH_HOST_ROUNDS) --vm-rounds $(BENCH_VM_ROUNDS) \
	--cycle-budget $(BENCH_CYCLE_BUDGET) --parallel $(BENCH_PARALLEL) \
	--vm-timeout $(BENCH_VM_TIMEOUT) --lxc-rounds $(BENCH_LXC_ROUNDS) --out $(BENCH_BUILD)/RESULTS.md

bench: bench-tools
	bench/bench.sh $(BENCH_ARGS) --cycles $(BENCH_CYCLES)

bench-host: bench-tools
	bench/bench.sh $(BENCH_ARGS) --no-vm

bench-vm: bench-tools
	bench/bench.sh $(BENCH_ARGS) --no-host --cycles $(BENCH_CYCLES)

bench-long: bench-tools
	bench/bench.sh $(BENCH_ARGS) --no-host --cycles 1000

bench-lxc: bench-tools
	bench/bench.sh $(BENCH_ARGS) --no-host --vm-rounds 0
