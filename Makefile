# The vocabulary of the project: make run, make test, make lint, make bench, make demo.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The embedded default: SQLite under var/, Celery tasks run in-process, no other service.
RUN_ENV := PORTAL_ENV=development
# The test suite runs against the real local servers unless told otherwise.
TEST_ENV := PORTAL_ENV=test \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0}

.PHONY: run test lint demo bench assets browser install messages clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end assets come from the npm registry at install time; nothing loads from a CDN.
portal/static/vendor/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p portal/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js
	cp node_modules/scrypt-js/scrypt.js portal/static/vendor/scrypt.js
	cp node_modules/echarts/dist/echarts.min.js portal/static/vendor/echarts.min.js
	touch $@

assets: portal/static/vendor/.installed

# The browser tests drive Debian's Chromium (no browser download); install it when missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium and a CJK font for the browser tests"; \
			$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
			$$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq chromium fonts-wqy-microhei; \
		else \
			echo "WARNING: /usr/bin/chromium is missing and apt-get is not available;" \
				"the browser tests will fail until chromium is installed."; \
		fi; \
	fi

install: $(BIN)/.installed assets browser

run: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py spectacular --fail-on-warn --validate --file /dev/null

test: install lint
	$(TEST_ENV) $(BIN)/pytest -n 2 --dist loadfile

bench: install
	$(TEST_ENV) $(BIN)/python bench/run_all.py

# Re-extract the UI strings and compile the catalogue (needs GNU gettext); the compiled .mo
# is committed so that a machine without gettext still shows the Chinese UI.
I18N_IGNORE := --ignore '.venv/*' --ignore 'node_modules/*' --ignore '*/migrations/*' \
	--ignore 'tests/*' --ignore 'var/*' --ignore 'bench/*' \
	--ignore 'credit/*.py' --ignore 'experts/*' --ignore 'templates/experts/*' \
	--ignore 'publicportal/*' --ignore 'auctions/*' \
	--ignore 'supervision/*' --ignore 'portal/holds/*'
messages: install
	$(TEST_ENV) $(BIN)/python manage.py makemessages -l zh_Hans $(I18N_IGNORE)
	$(TEST_ENV) $(BIN)/python manage.py compilemessages -l zh_Hans $(I18N_IGNORE)

clean:
	rm -rf $(VENV) node_modules var portal/static/vendor
