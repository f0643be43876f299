# Two commands on a fresh machine: `make run` and `make test`. Each installs what it needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_WORKERS ?= 3
STAMP := $(VENV)/.installed

.PHONY: run test lint venv system-packages bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests use: chromium (the browser tests), PostgreSQL (the store tests), kubectl is on the image.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

run: $(STAMP)
	$(VENV)/bin/akslocal start

lint: $(STAMP)
	$(VENV)/bin/ruff check akslocal tests benchmarks

test: $(STAMP) system-packages lint
	@pgdir=$$(mktemp -d /tmp/akslocal-pg.XXXXXX); \
	url=$$(scripts/test-postgres start $$pgdir/pg) || { cat $$pgdir/pg/*.log; exit 1; }; \
	trap "scripts/test-postgres stop $$pgdir/pg; rm -rf $$pgdir" EXIT; \
	AKSLOCAL_TEST_POSTGRES_URL=$$url $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -q $(PYTEST_ARGS)

bench: $(STAMP)
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
