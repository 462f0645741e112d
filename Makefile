# rnncourse: two commands on a fresh machine with Python 3.11 and make.
#   make book   install into .venv, build the site into _build/html
#   make test   install, unit tests, nbval over every chapter, book build with warnings as errors
#   make lab    open the chapters in JupyterLab
#   make bench  the speed benchmarks (not part of make test)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHAPTERS := $(wildcard chapters/*.ipynb)

# The kernel inherits the environment: a non-inline backend would drop every figure from the book.
unexport MPLBACKEND
# Two notebooks execute at once on two cores: one thread each avoids oversubscription.
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install book test unit nbval build lab bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: install
	$(BIN)/jupyter-book build . --all -W --keep-going
	@echo "The site is in $(CURDIR)/_build/html/index.html"

test: install unit nbval build

unit: install
	$(BIN)/python -m pytest tests -n 2

nbval: install
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=120 -n 2 --dist loadfile $(CHAPTERS)

build: install
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . --all -W --keep-going

lab: install
	$(BIN)/jupyter lab chapters/

bench: install
	$(BIN)/python benchmarks/bench_bptt.py

clean:
	rm -rf _build .jupyter_cache
