"""A cell-by-cell snapshot of what `make demo` writes, to prove a refactor changed no output.

    python scripts/demo_snapshot.py OUT_DIR --write tests/data/demo_snapshot.json.gz   # record
    python scripts/demo_snapshot.py OUT_DIR --check tests/data/demo_snapshot.json.gz   # compare

Each workbook is reduced to its sheets (name, state), merged ranges, and every non-empty cell's formula or
value, cached value, number format, bold and fill colour; text outputs to their lines. Values that differ on
every run (a template's uuid, the time it was written, absolute paths) are masked. A behaviour change that is
meant (a new column, say) re-records the snapshot in the same commit, so the diff shows what changed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

import openpyxl

_VOLATILE = [
    (re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),  # the register file's hash: its xlsx carries a save time
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?"), "<time>"),
    (re.compile(r"/(tmp|work|root|home)/[^\s'\"]*"), "<path>"),
]
# Output files compared; the ledger (SQLite) and the notices' creation details are covered by their own tests.
_SUFFIXES = (".xlsx", ".txt", ".json", ".csv")
# A workspace's returns/ folders hold copies of the bundled returns (inputs, checked byte for byte elsewhere).
_SKIPPED_FOLDERS = ("returns",)


def _mask(value):
    if isinstance(value, str):
        for pattern, replacement in _VOLATILE:
            value = pattern.sub(replacement, value)
        return value
    if hasattr(value, "isoformat"):
        return "<time>" if value.year >= 2024 else value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _sheet_dump(ws_formulas, ws_values) -> dict:
    cells = {}
    for row in ws_formulas.iter_rows():
        for cell in row:
            if cell.value is None and not cell.has_style:
                continue
            cached = ws_values[cell.coordinate].value
            fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type == "solid" else None
            entry = [_mask(cell.value), _mask(cached), cell.number_format, bool(cell.font and cell.font.b),
                     fill if isinstance(fill, str) else None]
            if entry[0] is None and entry[1] is None and entry[2] == "General" and not entry[3] and not entry[4]:
                continue
            cells[cell.coordinate] = entry
    return {"state": ws_formulas.sheet_state, "merged": sorted(str(r) for r in ws_formulas.merged_cells.ranges),
            "cells": cells}


def workbook_dump(path: Path) -> dict:
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: _sheet_dump(ws, values[ws.title]) for ws in formulas.worksheets}


def snapshot(out_dir: Path) -> dict:
    result = {}
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file() or path.suffix not in _SUFFIXES:
            continue
        key = path.relative_to(out_dir).as_posix()
        if any(part in _SKIPPED_FOLDERS for part in path.relative_to(out_dir).parts[:-1]):
            continue
        if path.suffix == ".xlsx":
            result[key] = workbook_dump(path)
        else:
            text = path.read_text(encoding="utf-8-sig")
            result[key] = [_mask(line) for line in text.splitlines()]
    return result


def differences(expected: dict, actual: dict, limit: int = 30) -> list[str]:
    found = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            found.append(f"{key}: missing")
        elif key not in expected:
            found.append(f"{key}: new file")
        elif expected[key] != actual[key]:
            found.append(f"{key}: {_first_difference(expected[key], actual[key])}")
        if len(found) >= limit:
            break
    return found


def _first_difference(a, b, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{where}/{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return _first_difference(x, y, f"{where}[{i}]")
    return f"{where}: expected {a!r}, got {b!r}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path)
    group.add_argument("--check", type=Path)
    args = parser.parse_args(argv)
    current = snapshot(args.out_dir)
    if args.write:
        with gzip.open(args.write, "wt", encoding="utf-8") as fh:
            json.dump(current, fh, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        print(f"snapshot of {len(current)} files written to {args.write}")
        return 0
    with gzip.open(args.check, "rt", encoding="utf-8") as fh:
        expected = json.load(fh)
    diff = differences(expected, current)
    for line in diff:
        print(line)
    print(f"{len(current)} files compared, {len(diff)} differ")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
