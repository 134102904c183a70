# The few commands everybody runs. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# GraphiQL's browser assets, from npm with a lockfile into an ignored node_modules/, so
# GraphiQL works offline; without npm the page loads them from a CDN instead.
GRAPHIQL_ASSETS := gateway/server/graphiql_assets

.PHONY: dev test lint tools bench clean mutate verify-fixtures

$(STAMP): pyproject.toml $(GRAPHIQL_ASSETS)/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	if command -v npm >/dev/null; then \
		npm ci --prefix $(GRAPHIQL_ASSETS) --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: GraphiQL will load its assets from a CDN"; fi
	touch $(STAMP)

dev: $(STAMP)
	$(BIN)/switchboard dev

# The browser tests drive Debian's chromium (never a browser Playwright downloads).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# The suite, after the house checks (ruff, mypy --strict on gateway/), with branch coverage
# of the pytest workers and every process they start: each package must stay at or above its
# floor in tests/coverage_floors.json (docs/testing.md). PYTEST_ARGS may narrow the suite, so
# with it the floors are not checked. CI runs this target.
test: lint tools $(CHROMIUM)
	$(BIN)/pytest --cov --cov-report= $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),@echo "coverage floors not checked: PYTEST_ARGS is set",$(BIN)/python scripts/coverage_floors.py)

# The recorded Apollo fixtures, recorded again with the pinned Apollo packages (npm ci into
# scripts/apollo/node_modules/, ignored): any difference fails (docs/testing.md).
verify-fixtures: $(STAMP)
	$(BIN)/python scripts/verify_fixtures.py

# Mutation testing (mutmut) of the packages the suite must guard most; slow, not part of
# `make test`. PACKAGES="gateway/auth" narrows it, ONLY="verify.py keys.py" to some of a
# package's modules (docs/testing.md).
PACKAGES ?= gateway/execution gateway/operation gateway/auth subgraphs/common
mutate: $(STAMP)
	nice -n 10 $(BIN)/python scripts/mutate.py $(PACKAGES) $(if $(ONLY),--only $(ONLY))

# Debian tools the tests run: wrk (the bench's load generator).
tools:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .switchboard
