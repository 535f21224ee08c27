# Parvis — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= parvis.settings.dev

.PHONY: otp run test install install-test migrate demo serve worker lint fmt messages check-deploy clean browsers bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## make run: install, migrate, load the Gréasque demo site, serve it with a task worker.
run: demo node_modules/.installed
	$(PY) manage.py demo_logins
	@echo "Site : http://$(HOST):$(PORT)/   Administration : http://$(HOST):$(PORT)/admin/"
	@trap 'kill 0' INT TERM EXIT; \
	  $(PY) manage.py db_worker --queue-name '*' >var/worker.log 2>&1 & \
	  while true; do \
	    $(PY) manage.py publish_scheduled >>var/scheduler.log 2>&1; \
	    $(PY) manage.py send_pending_contact_messages >>var/scheduler.log 2>&1; \
	    $(PY) manage.py check_pending_payments >>var/scheduler.log 2>&1; \
	    $(PY) manage.py send_scheduled_campaigns >>var/scheduler.log 2>&1; \
	    $(PY) manage.py send_outbox >>var/scheduler.log 2>&1; \
	    $(PY) manage.py refresh_directory_hours --if-stale >>var/scheduler.log 2>&1; \
	    $(PY) manage.py expire_bookings >>var/scheduler.log 2>&1; \
	    $(PY) manage.py send_booking_reminders >>var/scheduler.log 2>&1; \
	    sleep 60; \
	  done & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install what tests need and run the whole suite.
test: install-test
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=parvis.settings.test $(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

fmt: install-test
	$(BIN)/ruff format parvis tests bench

messages: install
	cd parvis && ../$(PY) ../manage.py makemessages -l fr --ignore=static

check-deploy: install
	DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=www.example.org DJANGO_SETTINGS_MODULE=parvis.settings.production \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: install-test
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules var

## make otp EMAIL=…: the current second-factor code of a demo staff account.
otp: install
	$(PY) manage.py demo_otp $(EMAIL)
