# The two commands of the README:
#   make run   - create .venv, install xornet with every extra ([all]), train XOR (truth table, loss, model on disk)
#   make test  - install the dev extra into .venv; run ruff, the import contracts, mypy and the whole test suite
#                (which also builds the wheel and the sdist and installs the wheel into a clean venv)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench docs clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The browser tests drive Debian's chromium (Playwright's own browser download does not work
# here); install it once when it is missing. Needs root or sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

run: $(VENV)/.installed $(VENV)/.kernel
	$(BIN)/xornet train --save xor-model.json --plot figures

# numba compiles the population kernel (sweep, inits, fractal, the playground's panel) the
# first time it is used, about 20 s; compile it once here, into numba's cache, so
# the first of those commands starts at once. Redone when the kernel's source changes.
$(VENV)/.kernel: $(VENV)/.installed src/xornet/population/kernel.py
	@echo "compiling the population kernel once (about 20 s; numba caches it)..."
	$(BIN)/python -c "from xornet.population import kernel; kernel.load_grid()"
	touch $@

test: $(VENV)/.installed-test chromium
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run_all.py

docs: $(VENV)/.installed
	$(BIN)/python docs/make_docs.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
