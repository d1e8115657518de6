# One command each: `make serve` sets up and runs the service; `make test` sets up and runs the tests.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

.PHONY: install test serve
install: $(VENV)/.installed

test: install
	$(PY) -m pytest -q

serve: install
	$(VENV)/bin/kg serve
