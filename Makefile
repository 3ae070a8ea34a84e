# Two commands for a new user; each creates (or reuses) .venv with the pinned
# stack and this package, then runs.
#   make demo   train a small recognizer on synthetic long videos, evaluate it
#   make test   run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= work_dirs/demo
DEMO_DATA ?= data/synthetic
DEMO_VIDEOS ?= 60
DEMO_CONFIG ?= configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py
DEMO_OPTS = --cfg-options \
	train_dataloader.dataset.ann_file=$(DEMO_DATA)/annotations.json \
	train_dataloader.dataset.data_prefix.video=$(DEMO_DATA) \
	val_dataloader.dataset.ann_file=$(DEMO_DATA)/annotations.json \
	val_dataloader.dataset.data_prefix.video=$(DEMO_DATA) \
	test_dataloader.dataset.ann_file=$(DEMO_DATA)/annotations.json \
	test_dataloader.dataset.data_prefix.video=$(DEMO_DATA)

.PHONY: install demo test test-slow test-all clean-demo

$(STAMP): setup.py requirements.txt requirements/*.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements/build.txt
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-build-isolation --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) tools/data/make_synthetic.py --out-dir $(DEMO_DATA) \
		--num-videos $(DEMO_VIDEOS)
	$(PY) tools/train.py $(DEMO_CONFIG) --work-dir $(DEMO_DIR) --seed 0 \
		$(DEMO_OPTS)
	$(PY) tools/test.py $(DEMO_CONFIG) "$$(cat $(DEMO_DIR)/last_checkpoint)" \
		--work-dir $(DEMO_DIR) $(DEMO_OPTS)

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
