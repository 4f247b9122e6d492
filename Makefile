# Two entry points for a fresh machine: `make demo` and `make test`. Both set up what they need, idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
LOCK_TOOLS := .cache/lock-tools
APT_PACKAGES := ffmpeg espeak-ng hunspell-en-med hunspell-en-us chromium chromium-driver fonts-dejavu-core \
  tesseract-ocr-eng
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export ORT_DISABLE_TELEMETRY := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export HF_HUB_OFFLINE := 1

.PHONY: setup system demo test bench lock clean

setup: system $(STAMP)

# checked on every run (dpkg -s is quick), installed only when something is missing
system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Every package at the version and hash in the lock (pip's configured indexes serve torch, triton
# and most CUDA wheels from the machine's disk), then this package, built with the locked setuptools.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@touch $@

demo: setup
	$(VENV)/bin/curate demo

# pytest exits 5 when it collects nothing; make fails on it like on any failure
test: setup
	$(VENV)/bin/pytest -q

bench: setup
	$(PY) bench/quality.py

# `make lock` moves every pin to the newest release pyproject.toml allows;
# `make lock PACKAGES="numpy faster-whisper"` moves only those (and adds whatever pyproject gained).
# Extras stay in the lock (httpx[http2]==...): pip 23's hash mode otherwise treats a dependency's
# `httpx[http2]>=0.23` as unpinned as soon as the index has a release newer than the pin.
lock: $(LOCK_TOOLS)/bin/pip-compile
	CUSTOM_COMPILE_COMMAND="make lock" $< --quiet $(if $(PACKAGES),$(addprefix --upgrade-package ,$(PACKAGES)),--upgrade) \
	  --extra dev --all-build-deps --allow-unsafe --generate-hashes --no-strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

$(LOCK_TOOLS)/bin/pip-compile:
	python3 -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/pip install -q "pip==25.3" "pip-tools==7.6.2"

clean:
	rm -rf .cache data
