# Two commands: `make run` serves the embedded platform, `make test` runs every test. Both set everything up.
# `make lint` and `make typecheck` are the gates CI runs before the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test test-unit lint typecheck fuzz bench lock clean up-local down-local browser screenshots \
	contracts

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/jobbridge serve

test: install browser
	$(BIN)/pytest

# The console's browser tests (tests/browser) drive Debian's chromium; a CJK font makes their screenshots legible.
# Installed here when missing and apt-get can (as root); otherwise those tests are skipped with the reason printed,
# or fail under REQUIRE_SERVICES=1.
browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi -e wqy -e noto.*cjk; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "make: installing chromium, chromium-driver and fonts-wqy-microhei for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver \
			fonts-wqy-microhei >/dev/null || echo "make: apt-get could not install them"; \
	else echo "make: no chromium at /usr/bin/chromium and no apt-get as root: the browser tests will be skipped"; fi

# Refresh the console screenshots of docs/console/ (shown in the README) from the browser tests.
screenshots: install browser
	CONSOLE_SCREENSHOTS=1 $(BIN)/pytest tests/browser

test-unit: install
	$(BIN)/pytest tests/unit tests/service

# Ruff's checks (no formatting) and mypy over the scope set in pyproject.toml; CI runs both before the tests.
lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

# After changing an event contract in shared/contracts/: its schema snapshot (refused for a break without a version
# raise) and docs/asyncapi.yaml, which tests/unit compares with the contracts.
contracts: install
	$(BIN)/python -m shared.contracts.compat
	$(BIN)/python -m jobbridge.asyncapi > docs/asyncapi.yaml

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
