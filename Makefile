# `make demo` and `make test` work on a fresh machine with only Python 3.10+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --prefer-binary

BENCH_STAMP := $(VENV)/.bench-stamp

.PHONY: demo test lint typecheck unit bench compare fuzz parity-pythons sweep width-sweep output-sweep clean

# setup.py compiles these with mypyc into extensions beside them, which shadow the .py files:
# any edit to them must rebuild, or the tests would run the old code.
COMPILED := $(addprefix src/safeload/,_opcodes.py _symbolic.py _numpy_state.py) \
	$(addprefix src/safeload/pickle/,names.py analysis.py state_rules.py call_rules.py costs.py \
	stream_arrays.py frame.py walk_base.py walk_stream.py walk_values.py walk_calls.py \
	walk_build.py walker.py) $(addprefix src/safeload/trust/,xgboost_ubj.py)

$(STAMP): pyproject.toml setup.py $(COMPILED) src/safeload/_treecheck.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PIP) -e '.[test]'
	touch $(STAMP)

# The demo needs safeload and its run-time dependencies only: no test tools (ruff, mypy, atheris,
# hypothesis, ...) and no mypyc compile (the pure-Python static pass is the same source, and the
# demo's models are tiny). Building without isolation skips downloading mypy into a throwaway
# build environment; setuptools is the only build tool it needs. A venv that `make test` already
# set up is used as it is (and rebuilt first if the compiled modules are stale).
$(DEMO_STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) 'setuptools>=77' wheel
	SAFELOAD_PURE_PYTHON=1 $(PIP) --no-build-isolation -e .
	touch $(DEMO_STAMP)

demo: $(if $(wildcard $(STAMP)),$(STAMP),$(DEMO_STAMP))
	@test -f keys/demo.key || $(BIN)/safeload keygen demo --dir keys
	$(BIN)/python examples/home_prices.py --key keys/demo.key --pub keys/demo.pub --out out/demo
	$(BIN)/safeload verify out/demo/home_prices.joblib out/demo/home_prices.pkl --pub keys/demo.pub
	$(BIN)/safeload scan out/demo/home_prices.joblib
	bash examples/release_pipeline.sh

lint: $(STAMP)
	$(BIN)/ruff check setup.py src tests $(wildcard examples benchmarks fuzz)
	$(BIN)/ruff format --check setup.py src

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

# worksteal: an idle worker takes tests from the other's queue, so one file of slow red-team
# reproducers no longer keeps one core busy while the other waits (the suite passes either way).
# One OpenMP/BLAS thread per process: two workers on two cores, each with scikit-learn's,
# xgboost's and OpenBLAS's thread pools spinning for both cores, spent most of their time
# waiting on each other (a 30-point TSNE took 22 s instead of 0.6 s).
# LOKY_MAX_CPU_COUNT: LightGBM's wrapper takes its threads from joblib's cpu count, not OpenMP's.
TEST_THREADS := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 LOKY_MAX_CPU_COUNT=1
unit: $(STAMP)
	$(TEST_THREADS) $(BIN)/python -m pytest -q -n 2 --dist worksteal --durations=25

test: lint typecheck unit

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --prefer-binary -e '.[test,bench]'
	touch $(BENCH_STAMP)

# The tools scan_folder.py compares against were byte-compiled by pip when it installed them, as
# a pip-installed safeload is; the editable install here is not, and with PYTHONDONTWRITEBYTECODE
# set every `safeload scan` would compile its ~80 modules from source again (0.1-0.2 s).
# compileall writes __pycache__ beside the sources; Python ignores a .pyc whose source changed.
bench: $(BENCH_STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/scan_folder.py
	$(BIN)/python benchmarks/printer_cost.py

fuzz: $(STAMP)
	$(BIN)/python fuzz/run.py --seconds $${FUZZ_SECONDS:-60}
	$(BIN)/python fuzz/run.py --pure --seconds $${FUZZ_SECONDS:-60}
	$(BIN)/python fuzz/parity_states.py --seconds $${FUZZ_SECONDS:-60}
	$(BIN)/python fuzz/parity_grammar.py --seconds $${FUZZ_SECONDS:-60}
	$(BIN)/python fuzz/fuzz_skops_zip.py --seconds $${FUZZ_SECONDS:-60}

# The static pass against each other CPython's unpickler (issue 14); see fuzz/parity_pythons.sh.
parity-pythons:
	bash fuzz/parity_pythons.sh

# The attack corpus against the other scanners, then the coverage corpus (issue 15): every model
# kind of tests/corpus_kinds.py by every writer; rewrites the coverage table in README.md.
compare: $(BENCH_STAMP)
	$(BIN)/python benchmarks/compare_scanners.py
	$(BIN)/python benchmarks/coverage_corpus.py

# Every scikit-learn estimator's settings and public methods, for writes into the caller's
# arrays (about an hour on two cores); see fuzz/in_place_sweep.py.
sweep: $(STAMP)
	$(BIN)/python fuzz/in_place_sweep.py --workers 2 --out in_place_sweep.jsonl

# Every scikit-learn estimator, fitted, then one stored int, array or estimator list made
# large: does safeload admit a small file that then costs much more when used? (about 12
# minutes on one core); see fuzz/width_sweep.py.
width-sweep: $(STAMP)
	$(BIN)/python fuzz/width_sweep.py --out width_sweep.jsonl

# every estimator class, setting and widened attribute: outputs wider than safeload counts
output-sweep: $(STAMP)
	$(BIN)/python fuzz/output_sweep.py --out output_sweep.jsonl

clean:
	rm -rf $(VENV) .venv-parity .pytest_cache .mypy_cache .ruff_cache build
	find src -name '*.so' -delete
