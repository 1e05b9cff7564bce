# Carrefour — the two commands of the README: `make run` and `make test`.
# Everything they need is installed from the project's own files.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test install lint migrate demo serve worker messages lock system-deps npm-deps clean
.PHONY: search-engine search-engine-stop

help:
	@echo "make run   — installe, migre, charge la démo et sert http://$(HOST):$(PORT)"
	@echo "make test  — ruff, check, makemigrations --check et pytest"

# --- installation ----------------------------------------------------------
$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the pinned requirements change: a second `make run` starts in seconds.
$(VENV)/.installed: requirements.lock | $(PY)
	$(PIP) install --disable-pip-version-check -q -r requirements.lock
	@touch $@

install: $(VENV)/.installed

# npm packages (official territories, Leaflet). Optional: without npm the site
# still runs, with régions and départements only (see README).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm est introuvable : les communes ne seront pas chargées (régions et départements seulement)."; \
	fi

npm-deps:
	@$(MAKE) --no-print-directory node_modules/.installed || true

# Debian packages the browser tests need (Debian's chromium; never a downloaded browser).
system-deps:
	@./.ci/system-deps

lock:
	$(PIP) freeze --exclude-editable | grep -v '^-e' > requirements.lock

# --- run -------------------------------------------------------------------
migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate npm-deps
	$(PY) manage.py setup_carrefour

# One uvicorn process serves HTTP and websockets (cms/serving.py, the protocols of
# make serve); the background worker runs imports, re-indexing and alerts
# (make worker). ops/supervise.py stops both gracefully on Ctrl+C or SIGTERM.
# Links in pages, feeds and e-mails (Wagtail's included) use the address served,
# unless SITE_URL is given (0.0.0.0 is reached as 127.0.0.1 from this machine).
RUN_SITE_URL := $(or $(SITE_URL),http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT))

run: demo
	$(PY) manage.py carrefour_welcome --host $(HOST) --port $(PORT)
	@SITE_URL=$(RUN_SITE_URL) exec $(PY) ops/supervise.py \
		-- $(PY) manage.py carrefour_worker -v 0 \
		-- $(PY) -m cms.serving --host $(HOST) --port $(PORT)

# The background worker alone (production runs one or more beside make serve's
# web workers, docs/deploiement.md): django-tasks' database queue, and the jobs of
# a worker that died handed to the next one.
worker: install
	$(PY) manage.py carrefour_worker

# Production serving (docs/deploiement.md): WORKERS gunicorn + uvicorn worker
# processes (one per core by default) sharing one socket and the Redis channel layer
# (a message sent through one process reaches the clients of the others), plus the
# background worker. Needs the production environment (DJANGO_SETTINGS_MODULE,
# SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS…): see docs/deploiement.md.
# Metrics of every worker process are summed through PROMETHEUS_MULTIPROC_DIR.
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
METRICS_DIR ?= var/prometheus
serve: install
	@test -n "$$REDIS_URL" || { echo "make serve partage les salons entre processus par Redis : définissez REDIS_URL."; exit 1; }
	$(PY) manage.py collectstatic --noinput -v 0
	@rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	@PROMETHEUS_MULTIPROC_DIR=$(abspath $(METRICS_DIR)) exec $(PY) ops/supervise.py \
		-- $(PY) manage.py carrefour_worker -v 1 \
		-- $(VENV)/bin/gunicorn cms.asgi:application -k cms.serving.CarrefourWorker \
			-w $(WORKERS) -b $(HOST):$(PORT) --graceful-timeout 20 --timeout 60 \
			--error-logfile -

# --- quality ---------------------------------------------------------------
lint: install
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .

test: install system-deps npm-deps
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Source strings are French; locale/en holds the English translation.
MSG_IGNORE := --ignore .venv --ignore node_modules --ignore var --ignore static_collected --ignore tests --ignore benchmarks
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --add-location file $(MSG_IGNORE)
	$(PY) manage.py compilemessages -l en $(MSG_IGNORE)

clean:
	rm -rf $(VENV) node_modules var static_collected

# --- search engine -----------------------------------------------------------
# A real 3-node OpenSearch cluster on 127.0.0.1:9201-9203, one JVM a node, data
# in var/opensearch (Maven resolves it into ~/.m2 the first time). Single nodes:
# ops/opensearch/cluster stop-node N / start-node N (see ops/opensearch/README.md).
search-engine:
	@bash ops/opensearch/cluster start

search-engine-stop:
	@bash ops/opensearch/cluster stop
