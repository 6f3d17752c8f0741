# One-command set-up: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# The test suite runs against the machine's real PostgreSQL and Redis (see ../shared/SERVICES.md).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/talentoffice
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test test-sqlite lint format messages check-messages check clean browser
.PHONY: serve-production bench

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) locale/zh_Hans/LC_MESSAGES/django.mo

locale/zh_Hans/LC_MESSAGES/django.mo: $(STAMP) locale/zh_Hans/LC_MESSAGES/django.po
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v0

run: install
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py collectstatic --no-input -v0
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@mkdir -p var && : > var/celery.log
	$(BIN)/celery -A talentoffice worker -Q sweeps --beat --hostname=sweeper@%h --loglevel=INFO \
		--concurrency=1 --schedule var/celerybeat-schedule >> var/celery.log 2>&1 & \
		sweeper=$$!; \
	$(BIN)/celery -A talentoffice worker -Q deliveries --hostname=worker@%h --loglevel=INFO \
		--concurrency=2 >> var/celery.log 2>&1 & \
		worker=$$!; trap "kill $$sweeper $$worker 2>/dev/null" EXIT INT TERM; \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium (never a downloaded one); CJK fonts for the screenshots.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
		echo "installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null \
		|| { $$SUDO apt-get update >/dev/null && \
		     $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk >/dev/null; }; }
	@test -x $(CHROMIUM) || { echo "Chromium is missing at $(CHROMIUM)"; exit 1; }

test: install browser
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	$(BIN)/pytest $(PYTEST_ARGS)

# The embedded default's pass: the suite again on a SQLite file, as `make run` keeps its data,
# so that every rule holds there too. Left out: tests about a PostgreSQL feature (marked
# postgresql_only, each with its reason) and the folders that start production's processes,
# real workers on PostgreSQL or a browser (tests/production, tests/integration, tests/browser),
# which `make test` runs. The concurrency test of `make run`'s own processes on SQLite is in
# tests/integration/test_embedded_default.py.
SQLITE_TEST_DIR := $(CURDIR)/var/test-sqlite
test-sqlite: install
	@mkdir -p $(SQLITE_TEST_DIR)
	DATABASE_URL=sqlite:///$(SQLITE_TEST_DIR)/db.sqlite3 \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	$(BIN)/pytest -m "not postgresql_only" \
		--ignore=tests/production --ignore=tests/integration --ignore=tests/browser $(PYTEST_ARGS)

# Production on this machine (README, "Running in production"): the environment must be set.
# The Procfile's processes in the foreground, each under deploy/respawn, which starts it again
# when it exits (as systemd's Restart=always does); Ctrl-C stops them all with SIGTERM.
# Sweeps have a worker of their own: a worker on both queues could have every pool process busy
# with deliveries when beat's sweep arrives (talentoffice/settings/queues.py, CELERY_TASK_QUEUES).
RESPAWN := deploy/respawn
serve-production: install
	@test "$$DJANGO_ENV" = production || { echo "set DJANGO_ENV=production and the variables of README's production section first"; exit 1; }
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py collectstatic --no-input -v0
	@echo "Serving on http://$${GUNICORN_BIND:-127.0.0.1:8000}/  (health: /health/)"
	$(RESPAWN) web $(BIN)/gunicorn -c deploy/gunicorn.conf.py talentoffice.wsgi & web=$$!; \
	$(RESPAWN) worker $(BIN)/celery -A talentoffice worker -Q deliveries --hostname=worker@%h \
		--loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-4} --without-mingle --without-gossip \
		& worker=$$!; \
	$(RESPAWN) sweeper $(BIN)/celery -A talentoffice worker -Q sweeps --hostname=sweeper@%h \
		--loglevel=INFO --concurrency=2 --without-mingle --without-gossip & sweeper=$$!; \
	$(RESPAWN) beat $(BIN)/celery -A talentoffice beat --loglevel=INFO & beat=$$!; \
	trap 'kill -TERM $$web $$worker $$sweeper $$beat 2>/dev/null; wait' INT TERM; \
	wait $$web $$worker $$sweeper $$beat

# Seeds the bench databases (scale 1 and 100) once and runs every bench/*_bench.py: bench/run.
bench: install
	$(BIN)/python bench/run $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract new strings into the catalogue; translate them in locale/zh_Hans/LC_MESSAGES/django.po.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'bench/*' --no-obsolete

# Fails when a translatable string in the code has no zh-hans translation (or a fuzzy one).
PO := locale/zh_Hans/LC_MESSAGES/django.po
check-messages: install
	@cp $(PO) $(PO).orig
	@$(BIN)/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'tests/*' \
		--ignore 'bench/*' --no-obsolete -v0
	@missing=$$(msgattrib --untranslated --no-obsolete $(PO) | grep -c '^msgid' || true); \
		fuzzy=$$(msgattrib --only-fuzzy --no-obsolete $(PO) | grep -c '^msgid' || true); \
		msgattrib --untranslated --no-obsolete $(PO) | grep '^msgid' | grep -v '^msgid ""$$'; \
		mv $(PO).orig $(PO); \
		if [ "$$missing$$fuzzy" != "00" ]; then \
			echo "zh-hans catalogue: $$missing untranslated, $$fuzzy fuzzy entries (run make messages)"; \
			exit 1; fi; echo "zh-hans catalogue complete"

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
