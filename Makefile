# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_SEED ?= 2026
export DJANGO_DEBUG ?= 1

.PHONY: demo test lint unit browser-deps bench load lock clean

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# The browser tests drive Debian's chromium; the SAML sign-in tests' identity provider (pysaml2)
# signs with the xmlsec1 program. Install whichever is missing.
browser-deps:
	@MISSING=$$(for p in chromium xmlsec1; do command -v $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -z "$$MISSING" ] || { \
	  echo "installing Debian's" $$MISSING "for the tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q $$MISSING; }

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy rounds bench

unit: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

test: $(VENV)/.installed browser-deps lint unit

demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --seed $(DEMO_SEED)
	$(PY) manage.py db_worker & WORKER=$$!; \
	  trap "kill $$WORKER" EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH)

# The load profile (bench/load.py): locust is a benchmark tool, installed only for this target.
LOCUST := locust==2.47.0
load: $(VENV)/.installed
	$(PY) -m pip install -q '$(LOCUST)'
	$(PY) -m bench load

# Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf /tmp/rounds-lock && $(PYTHON) -m venv /tmp/rounds-lock
	/tmp/rounds-lock/bin/pip install -q -e '.[dev]'
	/tmp/rounds-lock/bin/pip freeze --exclude-editable | grep -v '^rounds' > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
