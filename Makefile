# KiemTra — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
BIND   ?= 127.0.0.1:8000
STAMP  := $(VENV)/.installed-stamp
PO     := $(wildcard server/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run serve test setup db translations extract-messages clean

run: setup db ## Set up everything on a fresh clone and serve http://$(HOST):$(PORT)
	$(BIN)/kiemtra run --host $(HOST) --port $(PORT)

serve: setup db ## Production: gunicorn on $(BIND) (see server/gunicorn_conf.py)
	KIEMTRA_BIND=$(BIND) $(BIN)/gunicorn -c python:server.gunicorn_conf 'server:create_app()'

test: setup ## Set up the virtualenv and run the whole test suite
	$(BIN)/pytest

setup: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

db: setup ## Upgrade the database, import the checklists, load the demo the first time
	$(BIN)/kiemtra db upgrade
	$(BIN)/kiemtra checklists import
	$(BIN)/kiemtra demo

translations: $(MO)

extract-messages: setup ## Refresh the message catalogue after changing user-visible text
	$(BIN)/pybabel extract -F babel.cfg -k _l -o server/translations/messages.pot .
	$(BIN)/pybabel update -i server/translations/messages.pot -d server/translations --no-fuzzy-matching --width 100

clean:
	rm -rf $(VENV) $(MO)
