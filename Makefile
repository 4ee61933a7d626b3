# The newcomer's two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
HOST ?= 127.0.0.1
PORT ?= 5000
WECHAT_PORT ?= 5001

.PHONY: run test lint format venv venv-dev clean

$(BIN)/.runtime-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.dev-installed: $(BIN)/.runtime-installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.runtime-installed
venv-dev: $(BIN)/.dev-installed

## make run: migrate the embedded SQLite database, seed demo data, serve the API and the WeChat stand-in.
run: venv
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) dev up --host $(HOST) --port $(PORT) --wechat-port $(WECHAT_PORT)

## make test: lint, then the whole suite on SQLite; again on PostgreSQL and Redis when
## TEST_DATABASE_URL and TEST_REDIS_URL are set.
test: venv-dev lint
	APP_TEST_BACKEND=sqlite $(BIN)/pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ] && [ -n "$$TEST_REDIS_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) and Redis ($$TEST_REDIS_URL) =="; \
		APP_TEST_BACKEND=services $(BIN)/pytest -q; \
	else \
		echo "== TEST_DATABASE_URL / TEST_REDIS_URL not set: PostgreSQL and Redis pass skipped =="; \
	fi

lint: venv-dev
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/lint-imports

format: venv-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
