# The two commands of the README: `make lab` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2
PORT   ?= 8888
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: install lab test release bench clean browser sandbox

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# JupyterLab on course/, with autograder/nbgrader_config.py picked up by nbgrader's extensions.
lab: install
	@$(VENV)/bin/rnn-course setup-lab >/dev/null
	@echo "Starting JupyterLab on course/ at http://127.0.0.1:$(PORT)/lab (Ctrl-C to stop)"
	cd autograder && JUPYTER_CONFIG_PATH=$(CURDIR)/autograder \
	  $(CURDIR)/$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
	  --ServerApp.root_dir=$(CURDIR)/course $(ROOT_FLAG)

# Everything: helper unit tests, variants, experiments, nbgrader round trips, CLI, and nbval
# over solutions/ (in parallel, whole files per worker).
test: install browser sandbox
	MPLBACKEND=Agg $(PY) -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider tests solutions

# The browser test drives Debian's chromium (playwright's own browser download does not work
# offline). Installed when missing and we are root (CI); otherwise the browser test says how.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "note: chromium not installed; the browser test will be skipped (sudo apt-get install chromium)"

# Grading kernels run under Debian's bubblewrap (autograder/README.md, "The sandbox"). Installed
# when missing and we are root with apt-get (CI); otherwise grading runs unsandboxed and says so.
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null) ; } || \
	  echo "note: bubblewrap not installed; grading kernels will run unsandboxed (sudo apt-get install bubblewrap)"

release: install
	$(VENV)/bin/rnn-course release

bench: install
	$(PY) bench/run_notebooks.py

clean:
	rm -rf autograder/work tests/artifacts bench/out
