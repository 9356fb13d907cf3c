# make bench: passive verify.yml wall time and API server request count on 10 and 1,000 simulated GPU nodes.
# A benchmark, not a test: it prints numbers and fails only when the clusters or verify cannot run.
BENCH_NODES ?= 10,1000

.PHONY: bench
bench: setup sim-build ## Benchmark passive verify on $(BENCH_NODES) simulated GPU nodes (wall time, API requests)
	cd $(ROOT) && $(PY) -m tests.bench.verify_bench --nodes $(BENCH_NODES)
