# The two commands of the README: `make lab` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# pytest workers: on 2 cores 3 beat 2 (many tests wait on kernels and timeouts); 4 gain nothing
JOBS   ?= 3
PORT   ?= 8888
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: install lab test release bench clean browser sandbox

# Python writes each module's bytecode the first time it imports it (this machine's environment
# may say otherwise: PYTHONDONTWRITEBYTECODE is dropped for every command here). pip therefore
# installs without compiling all of site-packages (about 40 s, most of it never imported); the
# last step imports what tests and grading kernels import, once, so their bytecode exists before
# parallel test workers and read-only sandboxes need it.
unexport PYTHONDONTWRITEBYTECODE
# (three processes at once: what kernels import; what backward(gradient) and optimizers import
# later, rnn_course.zygote.EXTRAS, which read-only sandboxed kernels would otherwise compile from
# source on every start; what the grader and the tests import)
WARM_KERNEL := from rnn_course import zygote; zygote.preload()
WARM_EXTRAS := import importlib; from rnn_course import zygote; [importlib.import_module(m) for m in zygote.EXTRAS]
WARM_REST := import rnn_course.cli, rnn_course.batch, rnn_course.engine, rnn_course.cluster, nbgrader.apps, \
  nbclient, nbconvert, jupyter_server.serverapp, jupyterlab, pytest, xdist, nbval, distributed, playwright.sync_api

# The packages are installed with uv (pip's 50 s become about 10 s), from the sources pip is
# configured with (autograder/pip_sources.py); where uv cannot be had or fails, pip installs them.
$(STAMP): pyproject.toml
	@t0=$$(date +%s); \
	  { test -x $(PY) || $(PYTHON) -m venv $(VENV); } && \
	  { { $(PY) -m pip install --quiet --no-compile uv && \
	      $(VENV)/bin/uv pip install --quiet --python $(PY) --index-strategy unsafe-best-match \
	        $$($(PY) autograder/pip_sources.py) -e ".[test]"; } || \
	    { echo "note: uv did not install the packages; pip does"; \
	      $(PY) -m pip install --quiet --no-compile -e ".[test]"; }; } && \
	  t1=$$(date +%s) && export MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 && \
	  { $(PY) -c "$(WARM_KERNEL)" & k=$$!; $(PY) -c "$(WARM_EXTRAS)" & e=$$!; \
	    $(PY) -c "$(WARM_REST)" && wait $$k && wait $$e; } && \
	  touch $(STAMP) && echo "time: install $$(( t1 - t0 )) s, first imports $$(( $$(date +%s) - t1 )) s"

install: $(STAMP)

# JupyterLab on workspace/ (your copies of course/, git-ignored; created on first use, never
# overwritten), with autograder/nbgrader_config.py picked up by nbgrader's extensions. Prints the
# URL with its token and the port it really listens on (the first free one from PORT).
lab: install
	@$(VENV)/bin/rnn-course lab --port $(PORT)

# Everything: helper unit tests, variants, experiments, nbgrader round trips, CLI, and nbval
# over solutions/ (in parallel: whole files per worker, test_variants.py one notebook at a time,
# see tests/conftest.py).
# `make test NB=06`: the maintainer's fast path, everything that concerns one notebook
# (structure, variants, experiment, nbval, nbgrader round trip, released cells).
NB ?=
ifeq ($(strip $(NB)),)
test: install browser sandbox
	MPLBACKEND=Agg $(PY) -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider tests solutions
else
NB_STEM := $(basename $(notdir $(firstword $(wildcard solutions/$(NB)_*.ipynb solutions/$(NB).ipynb))))
test: install sandbox
	@test -n "$(NB_STEM)" || { echo "make test NB=$(NB): no solutions/$(NB)_*.ipynb" >&2; exit 2; }
	RNN_TEST_NB=$(NB_STEM) MPLBACKEND=Agg $(PY) -m pytest -n $(JOBS) --dist loadfile --nbval-lax \
	  -p no:cacheprovider -k "$(NB_STEM)" tests/test_structure.py tests/test_variants.py \
	  tests/test_roundtrip.py tests/test_release.py solutions/$(NB_STEM).ipynb
endif

# The browser test drives Debian's chromium (playwright's own browser download does not work
# offline). Installed when missing and we are root (CI); otherwise the browser test says how.
browser:
	@t0=$$(date +%s); command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "note: chromium not installed; the browser test will be skipped (sudo apt-get install chromium)"; \
	  echo "time: chromium check/install $$(( $$(date +%s) - t0 )) s"

# Grading kernels run under Debian's bubblewrap (autograder/README.md, "The sandbox"). Installed
# when missing and we are root with apt-get (CI); otherwise grading runs unsandboxed and says so.
sandbox:
	@t0=$$(date +%s); command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null) ; } || \
	  echo "note: bubblewrap not installed; grading kernels will run unsandboxed (sudo apt-get install bubblewrap)"; \
	  echo "time: bubblewrap check/install $$(( $$(date +%s) - t0 )) s"

release: install
	$(VENV)/bin/rnn-course release

bench: install
	$(PY) bench/run_notebooks.py

clean:
	rm -rf autograder/work tests/artifacts bench/out
