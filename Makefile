# khabar: two commands from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# camel-tools writes its data directory on import; keep it out of $HOME.
export CAMELTOOLS_DATA := $(CURDIR)/.camel_tools_data
OUT ?= out

.PHONY: setup run test lint bench eval datatrove airflow camel-ner clean

setup: $(VENV)/.installed $(VENV)/.native

$(VENV)/.installed: setup.py requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e . -r requirements-dev.txt
	# camel-tools without its declared torch/transformers (see setup.py).
	$(PIP) install --quiet --no-deps camel-tools==1.6.0
	mkdir -p $(CAMELTOOLS_DATA)
	touch $@

# The compiled kernels (transforms/runtime/_native.c): the editable install builds
# them next to the source; rebuilt when the C file changes.
$(VENV)/.native: $(VENV)/.installed transforms/runtime/_native.c
	$(PIP) install --quiet --no-deps -e .
	touch $@

run: setup
	$(VENV)/bin/khabar run --input samples --output $(OUT)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup datatrove
	$(PY) -m benchmarks.run_all

eval: setup
	$(PY) -m benchmarks.eval_devset --json benchmarks/results/devset-latest.json

# The benchmark's peer, datatrove's MinHash dedup, in a venv of its own.
datatrove: .venv-datatrove/.installed

.venv-datatrove/.installed: benchmarks/datatrove-requirements.txt
	$(PYTHON) -m venv .venv-datatrove
	.venv-datatrove/bin/pip install --quiet --upgrade pip
	.venv-datatrove/bin/pip install --quiet -r benchmarks/datatrove-requirements.txt
	touch $@

# A separate venv with Airflow and the Beam provider, for the DAG's end-to-end test.
airflow: .venv-airflow/.installed

.venv-airflow/.installed: deploy/airflow/requirements.txt
	$(PYTHON) -m venv .venv-airflow
	.venv-airflow/bin/pip install --quiet --upgrade pip
	.venv-airflow/bin/pip install --quiet -r deploy/airflow/requirements.txt
	touch $@

# The optional model backend (--ner camel:/path): torch (the CPU build on this
# machine's disk, 2.13.0; a plain `pip install torch` pulls the CUDA one) and transformers.
camel-ner: $(VENV)/.camel-ner

$(VENV)/.camel-ner: $(VENV)/.installed
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[camel-ner]'
	touch $@

clean:
	rm -rf $(OUT) .pytest_cache
