# Two commands for a new user; each creates (or reuses) .venv with the pinned
# stack and this package, then runs.
#   make demo   train a small recognizer on synthetic long videos, evaluate it
#   make test   run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= work_dirs/demo
DEMO_CONFIG ?= configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py

.PHONY: install demo test test-all clean-demo

$(STAMP): setup.py requirements.txt requirements/*.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements/build.txt
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) tools/data/make_synthetic.py --out-dir data/synthetic --num-videos 60
	$(PY) tools/train.py $(DEMO_CONFIG) --work-dir $(DEMO_DIR) --seed 0
	$(PY) tools/test.py $(DEMO_CONFIG) "$$(cat $(DEMO_DIR)/last_checkpoint)" \
		--work-dir $(DEMO_DIR)

# The default suite; `make test-all` adds the slow end-to-end runs.
test: $(STAMP)
	$(PY) -m pytest tests -m "not slow"

test-all: $(STAMP)
	$(PY) -m pytest tests

clean-demo:
	rm -rf $(DEMO_DIR)
