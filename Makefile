# The atlas: every set-up step lives here, so a fresh machine needs nothing done by hand.
# `make help` lists the targets.

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
BENCH    := $(VENV)/.bench-installed
CHROMIUM := /usr/bin/chromium
VALIDATE_GPKG := /usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py
OUT      ?= site
SHARED   ?= ../shared/data
PYDIRS   := $(wildcard src tests bench scripts)

.DEFAULT_GOAL := help
.PHONY: help venv site test fuzz lint format typecheck bench layers rasters browser gdal qgis check-qgis clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(STAMP) ## create .venv and install the atlas with its test tools

site: $(STAMP) ## build the whole atlas, screened, from the shipped data into site/ (with downloads/atlas.gpkg)
	$(BIN)/atlas build --root . --out $(OUT) --screening

browser: ## install headless Chromium (Debian package) for the page tests
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core; }

gdal: ## install GDAL's tools and Python bindings (Debian) for the GeoPackage tests
	@test -x /usr/bin/ogrinfo -a -x /usr/bin/gdalinfo -a -f $(VALIDATE_GPKG) || { \
	  echo "installing Debian gdal-bin and python3-gdal for the GeoPackage tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gdal-bin python3-gdal; }

qgis: gdal ## install QGIS's Python bindings (Debian python3-qgis) for check-qgis
	@/usr/bin/python3 -c "import qgis.core" 2>/dev/null || { \
	  echo "installing Debian python3-qgis for make check-qgis"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-qgis; }

check-qgis: site qgis ## open site/downloads/atlas.gpkg and the plume NetCDF/GeoTIFFs in headless QGIS
	QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/check_qgis.py $(OUT)/downloads/atlas.gpkg $(OUT)/plumes

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check $(PYDIRS)
	$(BIN)/ruff format --check $(PYDIRS)

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix $(PYDIRS)
	$(BIN)/ruff format $(PYDIRS)

typecheck: $(STAMP) ## mypy on src/
	$(BIN)/mypy

test: $(STAMP) browser gdal lint typecheck ## lint, type-check and run the whole test suite
	$(BIN)/pytest

fuzz: $(STAMP) ## fuzz the scenario reader and atlas plume with many more examples (minutes)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/scenario/test_scenario_fuzz.py -q

$(BENCH): $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

bench: $(BENCH) ## benchmarks: transport vs FiPy, heads, screening, ensembles (tens of minutes)
	$(BIN)/python bench/transport_bench.py
	$(BIN)/python bench/heads_bench.py
	$(BIN)/python bench/baotou_bench.py
	$(BIN)/python bench/compile_bench.py
	$(BIN)/python bench/screening_bench.py
	$(BIN)/python bench/ensemble_bench.py

layers: $(STAMP) ## rebuild layers/ from the source data, SHARED=../shared/data (maintainers)
	$(BIN)/python scripts/prepare_layers.py --shared $(SHARED) --out layers

rasters: $(STAMP) ## rebuild rasters/ (schematic K, ETOPO5 clips) from SHARED (maintainers)
	$(BIN)/python scripts/make_rasters.py --root . --shared $(SHARED)

clean: ## remove the virtual environment, caches and the built site
	rm -rf $(VENV) $(OUT) .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
