# ANTT: `make run` starts the whole system with demo data; `make test` runs every test.
# Both install what is missing first (Java and Maven from Debian, Python packages from PyPI
# into .venv, the Kafka broker's jars from Maven Central into .cache/kafka).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KAFKA_LIBS := .cache/kafka/libs
PROMETHEUS_DIR := .cache/prometheus
NGINX_DIR := .cache/nginx

# $(call unpack_deb,package,dir): Debian's package unpacked into dir, not installed (no service
# is started); the package lists are refreshed only if the first download fails.
unpack_deb = { echo "fetching $(1) from Debian into $(2) ..."; \
  deb=$$(mktemp -d) && chmod a+rwx $$deb && \
  { (cd $$deb && apt-get download -qq $(1)) || \
    { apt-get update -qq && (cd $$deb && apt-get download -qq $(1)); }; } && \
  mkdir -p $(2) && dpkg -x $$deb/$(1)_*.deb $(2) && rm -rf $$deb; }
PYTEST_ARGS ?=

.PHONY: help tools venv kafka run test test-unit bench chaos eval triage-model dashboards rebuild topics lock clean
help:
	@echo "make run      start Kafka, the database, every service and demo data (Ctrl-C stops)"
	@echo "make test     install, start the real broker and database, run all tests"
	@echo "make test-unit  only the unit tests (no servers)"
	@echo "make bench    measure intake and the end-to-end path; prints a table"
	@echo "make chaos    the fault suite: kills, pauses, slows and cuts every part under load (about 9 min)"
	@echo "make eval     triage and duplicate-detection precision/recall on tests/data"
	@echo "make triage-model  retrain the shipped triage model on the dev batches of tests/data"
	@echo "make dashboards  regenerate the Grafana dashboards of deploy/grafana"
	@echo "make rebuild  replay the topics into the read models (ARGS=\"--target-db NAME --drop\")"
	@echo "make topics   create the topics of schemas/ on KAFKA_BOOTSTRAP"
	@echo "make lock     re-pin requirements.lock from pyproject.toml"
	@echo "make clean    delete the data of 'make run' (.cache/run)"

tools:
	@command -v java >/dev/null && command -v mvn >/dev/null || { \
	  echo "installing Java 17 and Maven from Debian ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null; }
	@# Debian's chromium for the browser tests (Playwright drives it; it never downloads one).
	@test -x /usr/bin/chromium || { \
	  echo "installing chromium from Debian ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; }
	@# Debian's prometheus package unpacked, not installed: no system service is started.
	@test -x $(PROMETHEUS_DIR)/usr/bin/promtool || $(call unpack_deb,prometheus,$(PROMETHEUS_DIR))
	@# Debian's nginx unpacked, for `nginx -t` of deploy/proxy/nginx.conf (no server is started).
	@test -x $(NGINX_DIR)/usr/sbin/nginx || $(call unpack_deb,nginx,$(NGINX_DIR))

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

kafka: tools $(KAFKA_LIBS)/.fetched
$(KAFKA_LIBS)/.fetched: deploy/kafka/pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn -q -B -f deploy/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
	    -DoutputDirectory=$(abspath $(KAFKA_LIBS))
	touch $@

run: venv kafka
	$(PY) -m services.devstack run

test: venv kafka
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: venv tools
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

bench: venv kafka
	$(PY) -m tests.bench

chaos: venv kafka
	$(PY) -m tests.chaos

eval: venv
	$(PY) -m services.verification.evaluate

# Needs scikit-learn (dev extra); writes services/verification/triage_model.json.gz.
triage-model: venv
	$(PY) -m services.verification.train_triage

dashboards: venv
	$(PY) -m deploy.grafana.generate

rebuild: venv
	$(PY) -m services.aggregation.rebuild $(ARGS)

topics: venv
	$(PY) -m services.common.topics

lock:
	rm -rf .cache/lock-venv && $(PYTHON) -m venv .cache/lock-venv
	.cache/lock-venv/bin/pip install -q -e '.[dev]'
	.cache/lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .cache/lock-venv

clean:
	rm -rf .cache/run
