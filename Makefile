# Two commands for a new user; each creates (or reuses) .venv with the pinned
# stack and this package, then runs.
#   make demo   the whole pipeline on synthetic long videos: recognizers
#               (clean, noisy, AdaptFocus) -> features -> localizers, one
#               table, the time of each stage
#   make test   run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= work_dirs/demo
DEMO_DATA ?= data/synthetic_demo
DEMO_VIDEOS ?= 160

.PHONY: install demo demo-seeds readme-demo test test-slow test-all clean-demo

$(STAMP): setup.py requirements.txt requirements/*.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements/build.txt
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

DEMO_ARGS = --data-dir $(DEMO_DATA) --num-videos $(DEMO_VIDEOS) \
	--work-dir $(DEMO_DIR)

demo: $(STAMP)
	$(PY) tools/run_pipeline.py $(DEMO_ARGS)
	$(PY) tools/visualize.py pipeline $(DEMO_DIR)

# The demo's recognizers trained and tested again with seeds 1 and 2 (the
# seed-0 stages of `make demo` are reused): the spread over seeds.
demo-seeds: $(STAMP)
	$(PY) tools/run_pipeline.py $(DEMO_ARGS) --spread-seeds 1 2

# README.md's demo table and figures from the demo's work dir.
readme-demo: $(STAMP)
	$(PY) tools/readme_demo.py $(DEMO_DIR)

# The default suite; `make test-slow` runs the slow end-to-end runs (the
# demo itself), `make test-all` both.
test: $(STAMP)
	$(PY) -m pytest tests -m "not slow"

test-slow: $(STAMP)
	$(PY) -m pytest tests -m slow

test-all: $(STAMP)
	$(PY) -m pytest tests

clean-demo:
	rm -rf $(DEMO_DIR)
