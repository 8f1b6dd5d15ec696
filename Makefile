# The two commands of the README: `make run` and `make test`. Both install what is missing
# and nothing more (stamp files), so a second run starts without network.
PY ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# The openspf RFC 7208 test suite (see its rule below); prerequisites expand when read.
RFC7208 := tests/suites/rfc7208-tests.yml

.PHONY: run test lint bench-page bench-smtp bench-dns bench-dashboard bench-inbound bench-receiver clean

# Links printed and mailed point at the port served, unless MITWIRKUNG_BASE_URL says otherwise.
run: export MITWIRKUNG_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.stamp-app static/vendor/.stamp
	$(BIN)/python -m mitwirkung.seed
	@# due work (reminders, digests, drift watch, purges) and the Empfangsprüfung's receiver
	@# (loopback, INBOUND_PORT) run beside the server and end with it
	$(FLASK) jobs loop --every 60 & jobs=$$!; $(FLASK) inbound serve & inbound=$$!; \
	trap 'kill $$jobs $$inbound 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.stamp-test static/vendor/.stamp .stamp-chromium .stamp-swaks $(RFC7208)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(VENV)/.stamp-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.stamp-app: pyproject.toml $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-app
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --silent

static/vendor/.stamp: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico.min.css
	touch $@

# The openspf RFC 7208 test suite ships in pyspf's source distribution; it is fetched once into
# an ignored folder (not committed) and run by tests/test_rfc7208_suite.py.
$(RFC7208): | $(VENV)/bin/python
	rm -rf tests/suites/download && mkdir -p tests/suites/download
	$(BIN)/pip download -q --no-deps --no-binary :all: pyspf==2.0.14 -d tests/suites/download
	tar -xzf tests/suites/download/pyspf-2.0.14.tar.gz -C tests/suites --strip-components=2 \
		pyspf-2.0.14/test/rfc7208-tests.yml pyspf-2.0.14/test/rfc7208-tests.LICENSE
	rm -rf tests/suites/download

# Browser tests drive Debian's chromium; Playwright's own browser download cannot work here.
.stamp-chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "Browser tests need Debian's chromium: run 'sudo apt-get install chromium'" >&2; exit 1; fi
	touch $@

# bench/smtp.py compares a live test with Debian's swaks doing the same dialogue.
.stamp-swaks:
	@if [ -x /usr/bin/swaks ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq swaks; \
	else echo "bench/smtp.py needs Debian's swaks: run 'sudo apt-get install swaks'" >&2; exit 1; fi
	touch $@

bench-page: $(VENV)/.stamp-test static/vendor/.stamp
	$(BIN)/python bench/page.py

bench-dashboard: $(VENV)/.stamp-test static/vendor/.stamp
	$(BIN)/python bench/dashboard.py

bench-inbound: $(VENV)/.stamp-test
	$(BIN)/python bench/inbound_verdict.py

bench-receiver: $(VENV)/.stamp-test
	$(BIN)/python bench/inbound.py

clean:
	rm -rf $(VENV) node_modules static/vendor .stamp-chromium
