# rnncourse: two commands on a fresh machine with Python 3.11 and make.
#   make book   install into .venv, build the site into _build/html
#   make test   install, unit tests, nbval over every chapter, every chapter under other seeds,
#               book build with warnings as errors, browser checks of the site and of JupyterLab
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

.PHONY: install assets execute book test lint unit nbval seeds build chromium browser jupyterlab lab \
        bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# Scripts the site serves itself (MathJax, the widget manager), so pages work offline.
# They are copied into _build/site_assets/_static/vendor, which the book copies into the site.
ASSETS := _build/site_assets/_static/vendor

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets:
	rm -rf _build/site_assets
	mkdir -p $(ASSETS)
	@if command -v npm >/dev/null 2>&1 && $(MAKE) --no-print-directory node_modules/.installed; then \
	    cp -r node_modules/mathjax/es5 $(ASSETS)/mathjax; \
	    cp node_modules/requirejs/require.js $(ASSETS)/require.js; \
	    mkdir -p $(ASSETS)/html-manager; \
	    cp node_modules/@jupyter-widgets/html-manager/dist/* $(ASSETS)/html-manager/; \
	    rm -f $(ASSETS)/html-manager/*.map; \
	else \
	    echo "NOTICE: npm is not available: the site will load MathJax and the widget scripts from a CDN,"; \
	    echo "NOTICE: so its math and widgets need internet. Install Node.js/npm for an offline site."; \
	    cp -r book/cdn-fallback/. $(ASSETS)/; \
	fi
	cp book/site_scripts/widgets-setup.js $(ASSETS)/

book: install build
	@echo "The site is in $(CURDIR)/_build/html/index.html"

test: install lint unit nbval seeds build browser jupyterlab

# ruff, configured in pyproject.toml: pyflakes, pycodestyle, bugbear, pyupgrade, import order.
lint: install
	$(BIN)/ruff check .

unit: install
	$(BIN)/python -m pytest tests -n 2 --ignore=tests/browser --ignore=tests/seeds \
	    --ignore=tests/jupyterlab

# nbval runs copies of the chapters in which every solution (a ```python fence in a closed
# dropdown, never run by JupyterLab's Run All or by the book) is a code cell again, with its
# answer checker asserted; each copy runs from chapters/ like the chapter itself.
NBVAL := _build/nbval
nbval: install
	rm -rf $(NBVAL)
	$(BIN)/python tests/expand_solutions.py $(NBVAL) $(CHAPTERS)
	$(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=120 -n 2 --dist loadfile $(addprefix $(NBVAL)/,$(notdir $(CHAPTERS)))

# Every chapter again under other seeds (papermill sets SEED in its `parameters` cell):
# each assert must hold for all of them, not only for the committed SEED = 0 that nbval runs.
SEEDS ?= 1 2
seeds: install
	RNNCOURSE_SEEDS="$(SEEDS)" $(BIN)/python -m pytest tests/seeds -p no:cacheprovider -n 2

# Jupyter Book executes notebooks one at a time. To use both cores, the chapters are executed
# in parallel into its jupyter-cache first; the build then takes their outputs from the cache.
# The cache keys only on a notebook's own cells, so it is emptied whenever the package or the
# requirements change (CACHE_KEY), or the site would show stale outputs.
CACHE := _build/.jupyter_cache
CACHE_KEY = $(shell cat requirements.txt pyproject.toml $$(find rnncourse -type f \( -name '*.py' -o -name '*.txt' \) | sort) | sha256sum | cut -c1-16)

execute: install
	@if [ "$$(cat $(CACHE)/key 2>/dev/null)" != "$(CACHE_KEY)" ]; then rm -rf $(CACHE); fi
	mkdir -p $(CACHE) && echo $(CACHE_KEY) > $(CACHE)/key
	$(BIN)/jcache notebook -p $(CACHE) add $(CHAPTERS) > /dev/null
	$(BIN)/jcache project -p $(CACHE) execute --executor local-parallel --timeout 120

build: install assets execute
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . --all -W --keep-going

# The browser checks need Debian's chromium: installed here when possible (as root, with apt-get);
# without it they are skipped, and say so.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } || true

# A real browser over the built site.
browser: install chromium
	$(BIN)/python -m pytest tests/browser -p no:cacheprovider

# Every chapter as a learner sees it in JupyterLab (with jupyterlab-myst): open, Run All, then no
# error, no raw MyST, the package code shown, solutions closed and not run, sliders redraw.
# JLAB_CHAPTERS="chapters/03_recurrent_networks.ipynb" checks fewer.
# Two chapters at a time (pytest-xdist): each worker runs its own server and browser.
jupyterlab: install chromium
	$(BIN)/python -m pytest tests/jupyterlab -p no:cacheprovider -n 2

lab: install
	$(BIN)/jupyter lab chapters/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: install
	$(BIN)/python benchmarks/bench_bptt.py

clean:
	rm -rf _build .jupyter_cache
