# KiemTra — the two commands: `make run` and `make test`.
# Every dependency installs from uv.lock (exact versions, with hashes), so a
# clone installs the same thing any day; pyproject.toml keeps the ranges.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
BIND   ?= 127.0.0.1:8000
# How many processes share the test suite: one per core by default (pytest-xdist).
TEST_WORKERS ?= auto
# What `uv sync` installs besides the app: the test tools, except for `make serve`.
EXTRAS ?= --extra test
STAMP  ?= $(VENV)/.installed-dev
PO     := $(wildcard server/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)
# uv itself, pinned by hash (tools/uv-requirements.txt), in a virtualenv of its own.
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run serve test setup db demo lock lock-check translations extract-messages clean

run: setup db demo ## Set up everything on a fresh clone and serve http://$(HOST):$(PORT)
	$(BIN)/kiemtra run --host $(HOST) --port $(PORT)

serve: ## Production: install without the test tools, migrate, import checklists (no demo); gunicorn on $(BIND)
	$(MAKE) setup db EXTRAS= STAMP=$(VENV)/.installed-app
	KIEMTRA_BIND=$(BIND) $(BIN)/gunicorn -c python:server.gunicorn_conf 'server:create_app()'

test: setup ## Set up the virtualenv and run the whole test suite
	$(BIN)/pytest -n $(TEST_WORKERS)

setup: $(STAMP) $(MO)

$(UV): tools/uv-requirements.txt
	test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --require-hashes --no-deps -r tools/uv-requirements.txt
	touch $(UV)

# --locked: fails, instead of resolving again, when pyproject.toml and uv.lock disagree.
$(STAMP): pyproject.toml uv.lock $(UV)
	rm -f $(VENV)/.installed-*
	$(UV) sync --locked $(EXTRAS) --python $(PYTHON)
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

db: setup ## Upgrade the database and import the checklists (never demo data)
	$(BIN)/kiemtra db upgrade
	@# A bad checklist file is reported (file: path: message) and skipped; the good ones are served.
	-$(BIN)/kiemtra checklists import

demo: setup ## Load the demo data the first time (for `make run`, never for production)
	$(BIN)/kiemtra demo

lock: $(UV) ## Resolve pyproject.toml's ranges again into uv.lock (after changing a dependency)
	$(UV) lock --python $(PYTHON)

lock-check: $(UV) ## Fail when uv.lock no longer matches pyproject.toml
	$(UV) lock --check --python $(PYTHON)

translations: $(MO)

extract-messages: setup ## Refresh the message catalogue after changing user-visible text
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 -o server/translations/messages.pot .
	$(BIN)/pybabel update -i server/translations/messages.pot -d server/translations --no-fuzzy-matching --width 100

clean:
	rm -rf $(VENV) $(TOOLS) $(MO)
