# The README's two commands: `make demo` and `make test`. Both do all set-up themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat setup.cfg setup.py pyproject.toml | cksum | cut -d' ' -f1)
OUT := workbooks/example/out

.PHONY: demo test install serve example-register example-returns example-q2 bulletin-template clean

$(STAMP): setup.cfg setup.py pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# The main job on the bundled example; prints where the outputs are.
demo: $(STAMP)
	$(PY) scripts/demo.py --out $(OUT)

# The web page on the bundled example workspace (the one `make demo` builds): http://127.0.0.1:8000/
serve: $(STAMP)
	$(PY) scripts/serve_example.py

# Rebuild the example's task register from its source document.
example-register: $(STAMP)
	$(PY) -m xltasks import workbooks/example/source/hangzhou_2021_decomposition.txt -o workbooks/example/register.xlsx

# Rebuild the bundled returns (one filled template per reporting unit) from compilation 002.
example-returns: $(STAMP)
	$(PY) scripts/build_example_returns.py

# Rebuild the example's earlier period (2021Q2 returns) from 002's Q3 figures, by the rule in the README.
example-q2: $(STAMP)
	$(PY) scripts/build_example_q2.py

# Rebuild the 督查通报's Word template (templates/督查通报.docx).
bulletin-template: $(STAMP)
	$(PY) scripts/make_bulletin_template.py

# pytest's exit 5 (no tests collected) is a failure here, not a pass.
test: $(STAMP)
	$(PY) -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "make test: no tests ran" >&2; exit 1; fi; exit $$rc

clean:
	rm -rf $(OUT) .pytest_cache build *.egg-info
