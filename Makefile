# Two commands: `make run` serves the embedded platform, `make test` runs every test. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-unit fuzz bench lock clean up-local down-local

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/jobbridge serve

test: install
	$(BIN)/pytest

test-unit: install
	$(BIN)/pytest tests/unit tests/service

# Schemathesis over every operation with each role's token, 100 examples each (make test runs 3): see docs/security.md.
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} $(BIN)/pytest tests/fuzz

bench: install
	$(BIN)/python -m bench

# The distributed topology as processes on this machine (deploy/local/launch.py): PostgreSQL databases
# jobbridge_local_*, RabbitMQ vhost jobbridge_local, APIs on 8101-8104, relays, consumers, a proxy on PORT (8000);
# it loads the demonstration data of `make run` (DEMO=0: none); `make up-local FAKES=1` also starts the fake
# SMS/WeChat providers (8105-8108) and points notify at them.
up-local: install
	$(BIN)/python deploy/local/launch.py up $(if $(FAKES),--fakes) $(if $(filter 0,$(DEMO)),,--demo)

down-local:
	$(BIN)/python deploy/local/launch.py down

# Re-pin every dependency (needs uv: pip install uv). requirements.lock has the dev extra (tests, make install);
# requirements-runtime.lock is what the image installs: the services' dependencies only, constrained by the full lock
# so that both pin each shared package at the same version.
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -c requirements.lock -o requirements-runtime.lock

clean:
	rm -rf $(VENV) .pytest_cache
