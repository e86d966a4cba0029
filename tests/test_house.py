"""House rules of the package's shape: no module over 400 lines and no class over 150 without a reason.

A module may be longer when its docstring says why, in a sentence starting "Longer than 400 lines because:";
a class when its module's docstring has "Class <Name> is longer than 150 lines because:" followed by the
reason. The sizes are lines of the source file, docstrings and comments included, as an editor shows them.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "xltasks"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 150
MODULE_REASON = f"Longer than {MAX_MODULE_LINES} lines because:"


def class_reason(name: str) -> str:
    return f"Class {name} is longer than {MAX_CLASS_LINES} lines because:"


def _states_reason(doc: str, marker: str) -> bool:
    """The marker is in the docstring and followed by some words of reason."""
    at = doc.find(marker)
    return at >= 0 and len(doc[at + len(marker):].split()) >= 3


def oversized(source: str, name: str) -> list[str]:
    """What in one module's source breaks the rules without a stated reason, one line each."""
    tree = ast.parse(source, name)
    doc = " ".join((ast.get_docstring(tree) or "").split())  # a reason may wrap over docstring lines
    problems = []
    n_lines = len(source.splitlines())
    if n_lines > MAX_MODULE_LINES and not _states_reason(doc, MODULE_REASON):
        problems.append(f"{name}: {n_lines} lines, and its docstring does not say “{MODULE_REASON} …”")
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            size = node.end_lineno - node.lineno + 1
            if size > MAX_CLASS_LINES and not _states_reason(doc, class_reason(node.name)):
                problems.append(f"{name}: class {node.name} has {size} lines, and the module's docstring does not "
                                f"say “{class_reason(node.name)} …”")
    return problems


def _module(lines: int, docstring: str = "", body: str = "") -> str:
    head = f'"""{docstring}"""\n' if docstring else ""
    text = head + body
    return text + "x = 0\n" * max(0, lines - len(text.splitlines()))


def test_the_rules_catch_what_they_should():
    assert oversized(_module(400), "m.py") == []
    assert len(oversized(_module(401), "m.py")) == 1
    assert oversized(_module(401, "Reads things.\n\nLonger than 400 lines because: one table, read in order."),
                     "m.py") == []
    assert len(oversized(_module(401, "Longer than 400 lines because:"), "m.py")) == 1  # no reason given
    big_class = "class Big:\n" + "    a = 1\n" * 150  # 151 lines
    assert len(oversized(_module(200, body=big_class), "m.py")) == 1
    assert len(oversized(_module(200, "Class Other is longer than 150 lines because: it says so at length.",
                                 big_class), "m.py")) == 1  # the reason names another class
    assert oversized(_module(200, "Big.\n\nClass Big is longer than 150 lines\nbecause: one state machine, "
                                  "read as one.", big_class), "m.py") == []
    assert oversized(_module(200, body="class Small:\n" + "    a = 1\n" * 149), "m.py") == []


def test_no_module_or_class_is_oversized_without_a_reason():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50 and PACKAGE / "cli" / "__init__.py" in modules  # the package itself, found
    problems = [p for path in modules
                for p in oversized(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))]
    assert problems == []


def test_no_test_module_imports_another():
    """Shared test code lives in conftest.py, tests/builders.py and the corpus makers, never in a test module:
    importing one runs its module-level code and ties two stages' tests together."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.relative_to(tests)}: {n}" for n in names if n.rsplit(".", 1)[-1].startswith("test_")]
    assert found == []
