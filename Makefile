# Kiji: `make run` serves the site, `make test` runs every test.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate demo bench bench-cluster clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/kiji manage migrate --noinput
	$(BIN)/kiji manage collectstatic --noinput -v 0

run: migrate
	$(BIN)/kiji demo
	$(BIN)/kiji createadmin
	$(BIN)/kiji serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	sh tests/browser/setup.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

bench-cluster: install
	$(BIN)/python bench/cluster.py

clean:
	rm -rf $(VENV) var build
