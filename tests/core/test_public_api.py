"""The public API is importable from `xltasks`, and `import xltasks` stays light (names load on first use)."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import xltasks

HEAVY = ("pandas", "openpyxl", "xlsxwriter", "python_calamine", "docx", "pypdf", "click", "jinja2")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_xltasks_loads_no_heavy_library():
    loaded = _modules_after("import xltasks")
    assert not [m for m in HEAVY if m in loaded]
    assert not [m for m in loaded if m.startswith("xltasks.")]


def test_a_name_loads_only_what_it_needs():
    loaded = _modules_after("from xltasks import XltasksError, TaskStatus")
    assert "xltasks.core.errors" in loaded and "xltasks.core.statuses" in loaded
    assert not [m for m in HEAVY if m in loaded]


@pytest.mark.parametrize("name", sorted(set(xltasks.__all__) - {"__version__"}))
def test_every_exported_name_is_the_defining_modules_object(name):
    defining = importlib.import_module(xltasks._EXPORTS[name])
    assert getattr(xltasks, name) is getattr(defining, name)
    assert name in dir(xltasks)


def test_readme_example_names_come_from_xltasks():
    from xltasks import (collect, compile_workbook, import_paths, load_register, make_templates,  # noqa: F401
                         progress_frame)

    assert collect.__module__ == "xltasks.collecting.merge"
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        xltasks.no_such_name  # noqa: B018
