# The two commands: `make run` and `make test`. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= ./data

.PHONY: run test install bench lint clean screenshots soak

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[server,fastapi,flask,aws,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/authpool demo --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

test: $(STAMP)
	@# the browser tests (tests/e2e) drive Debian's chromium; Playwright's own browser download is never used
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	@# the token-endpoint benchmark drives the load with Debian's wrk; its peers install into bench/peers/.work/
	@test -x /usr/bin/wrk || (apt-get update && apt-get install -y wrk)
	$(PY) bench/run_all.py

# Several processes on the local PostgreSQL and Redis under mixed load (docs/deploy.md); MINUTES=10 by default.
soak: $(STAMP)
	$(PY) bench/soak.py --minutes $(or $(MINUTES),10)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) build dist src/*.egg-info

screenshots: $(STAMP)
	AUTHPOOL_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:cacheprovider tests/e2e
