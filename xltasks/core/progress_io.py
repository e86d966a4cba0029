"""Read and write the progress register (merged.xlsx): the hand-over between collect and compile.

Sheet 进度台账 holds one row per indicator line (ProgressRow, provenance flattened into columns);
sheet 报送单位 lists the units whose returns were accepted; sheet _info holds the period.
Also readable: the same table as CSV (same headers), for people who prefer it.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import fields
from pathlib import Path

from .errors import InputError, XltasksError
from .grids import GridLimits
from .fileio import atomic_write_text, atomic_write_with
from .models import DIRECTION_HIGHER, Progress, ProgressRow, Provenance
from .rates import DIRECTION_BY_LABEL, DIRECTION_LABELS
from .table_xlsx import Table, write_tables

SHEET_ROWS = "进度台账"
SHEET_REPORTED = "报送单位"
SHEET_INFO = "_info"

# (field key in ProgressRow.to_flat_dict(), Chinese header, column width)
PROGRESS_COLUMNS = (
    ("task_id", "任务编号", 9), ("unit", "单位", 22), ("role", "角色", 6), ("item_no", "细化项目序号", 8),
    ("item", "细化项目", 40), ("indicator", "指标名称", 22), ("measure_unit", "计量单位", 8),
    ("target", "目标值", 10), ("current", "当前值", 10), ("direction", "指标方向", 10),
    ("self_rate", "自评完成率", 10), ("pending", "待核算", 6), ("current_text", "当前值原文", 12),
    ("highlights", "主要亮点", 40), ("problems", "存在问题与下步计划", 40),
    ("source_file", "来源文件", 30), ("source_sha256", "来源SHA256", 20), ("source_sheet", "来源工作表", 8),
    ("source_row", "来源行", 6),
)
# merged.xlsx is measured before calamine reads it (xltasks.core.sheetsize): a stray value far away would make
# its dense grid huge. A province has 60,000+ rows and any Excel row may be used, but only 19 columns.
MAX_ROWS = 1_048_576
MAX_COLS = 40
LIMITS = GridLimits(MAX_ROWS, MAX_COLS)
_KEY_BY_LABEL = {label: key for key, label, _ in PROGRESS_COLUMNS}
_YES, _NO = "是", "否"


def _flat(row: ProgressRow) -> dict:
    """row.to_flat_dict() without asdict's recursive deep copy (a third of writing 60,000 rows); every
    field holds an immutable scalar, so the values are the same."""
    flat = {k: getattr(row, k) for k in _ROW_FIELDS}
    prov = row.provenance
    flat.update({f"source_{k}": getattr(prov, k) for k in _PROVENANCE_FIELDS})
    return flat


_ROW_FIELDS = tuple(f.name for f in fields(ProgressRow) if f.name != "provenance")
_PROVENANCE_FIELDS = tuple(f.name for f in fields(Provenance))


def _shown(row: ProgressRow) -> dict:
    """A row's cells as people read them: 指标方向 in Chinese (越高越好…), 待核算 as 是/否."""
    flat = _flat(row)
    flat["direction"] = DIRECTION_LABELS.get(flat["direction"], flat["direction"])
    flat["pending"] = _YES if flat["pending"] else _NO
    return flat
_NUMERIC = {"target", "current", "self_rate"}


def write_progress(progress: Progress, path: str | Path) -> None:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        write_progress_csv(progress, path)
        return

    def write(tmp: Path) -> None:
        rows = [[flat[key] for key, _, _ in PROGRESS_COLUMNS] for flat in map(_shown, progress.rows)]
        write_tables(tmp, [
            Table(SHEET_ROWS, [(label, width) for _, label, width in PROGRESS_COLUMNS], rows, wrap_from=20,
                  freeze_cols=2),
            Table(SHEET_REPORTED, [("单位", 30)], [[unit] for unit in progress.reported_units], wrap_from=math.inf,
                  freeze=False, autofilter=False),
            Table(SHEET_INFO, [], [["period", progress.period]]
                  + ([["register_digest", progress.register_digest]] if progress.register_digest else []),
                  header=False, freeze=False, autofilter=False, hidden=True),
        ])

    atomic_write_with(path, write)


def write_progress_csv(progress: Progress, path: Path) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([label for _, label, _ in PROGRESS_COLUMNS])
    for row in progress.rows:
        flat = _shown(row)
        w.writerow(["" if flat[k] is None else flat[k] for k, _, _ in PROGRESS_COLUMNS])
    atomic_write_text(path, "\ufeff" + buf.getvalue())  # BOM: Excel opens UTF-8 CSV correctly


def read_progress(path: str | Path, *, warnings: list[str] | None = None) -> Progress:
    """The progress register at `path`, validated cell by cell as collect validates a return (a hand-edited
    merged.xlsx): a value that cannot be read ("约546", "越低越好") is an XltasksError listing every such
    cell; a value read with a reinterpretation ("1,200" as 1200) is added to `warnings` when given."""
    path = Path(path)
    if not path.exists():
        raise InputError("文件不存在", file=str(path))
    # python-calamine reads values ~5× faster than openpyxl (a province's merged.xlsx has 60,000 rows);
    # openpyxl_like gives back what openpyxl returned, so the rows are the same either way.
    from .grids import open_grids, openpyxl_like

    try:
        with open_grids(path, LIMITS, unreadable="无法读取进度台账") as wb:
            names = wb.sheet_names

            def grid(name: str) -> list[list]:
                return [[openpyxl_like(v) for v in row] for row in wb.rows(name)]

            if SHEET_ROWS not in names:
                raise InputError(f"不是进度台账：缺少工作表“{SHEET_ROWS}”", file=str(path))
            table = grid(SHEET_ROWS)
            reported_cells = grid(SHEET_REPORTED) if SHEET_REPORTED in names else []
            info_cells = grid(SHEET_INFO) if SHEET_INFO in names else []
    except XltasksError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error
        raise InputError(f"无法读取进度台账: {exc}", file=str(path))
    header = [str(h).strip() if h is not None else "" for h in (table[0] if table else [])]
    keys = [_KEY_BY_LABEL.get(h) for h in header]
    missing = [label for key, label, _ in PROGRESS_COLUMNS if key not in keys]
    if missing:
        raise InputError(f"进度台账缺少列: {'、'.join(missing)}", file=str(path), where=SHEET_ROWS)
    rows = []
    cols = {k: i for i, k in enumerate(keys) if k}
    findings: list[tuple[str, str, bool]] = []  # (cell, what, is_error)
    for r, values in enumerate(table[1:], start=2):
        if all(v is None for v in values):
            continue
        d = {k: v for k, v in zip(keys, values) if k}
        findings.extend(_check_cells(d, r, cols))
        rows.append(_row_from_cells(d))
    _report(findings, path, warnings)
    reported = []
    for i, cells in enumerate(reported_cells):
        if i and cells and cells[0]:
            reported.append(str(cells[0]))
    info = {str(cells[0]): str(cells[1] or "") for cells in info_cells if len(cells) > 1 and cells[0]}
    return Progress(period=info.get("period", ""), rows=rows, reported_units=reported,
                    register_digest=info.get("register_digest", ""))


_TEXT_KEYS = tuple(f.name for f in fields(ProgressRow)
                   if f.name not in _NUMERIC and f.name not in ("pending", "item_no", "provenance"))


def _row_from_cells(d: dict) -> ProgressRow:
    kwargs = {}
    for k in _TEXT_KEYS:
        kwargs[k] = "" if d.get(k) is None else str(d[k])
    for k in _NUMERIC:
        v = d.get(k)
        kwargs[k] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    kwargs["direction"] = DIRECTION_BY_LABEL.get(kwargs["direction"], kwargs["direction"]) or DIRECTION_HIGHER
    pending = d.get("pending")
    kwargs["pending"] = pending is True or (isinstance(pending, str) and pending.strip().upper() in (_YES, "TRUE", "1"))
    kwargs["item_no"] = int(d.get("item_no") or 0)
    prov = Provenance(file=str(d.get("source_file") or ""), sha256=str(d.get("source_sha256") or ""),
                      sheet=str(d.get("source_sheet") or ""), row=int(d.get("source_row") or 0))
    return ProgressRow(**kwargs, provenance=prov)


_NUMERIC_LABELS = {"target": "目标值", "current": "当前值", "self_rate": "自评完成率"}
SHOWN_FINDINGS = 10  # cells named in the one-line error; the count says how many there are


def _check_cells(d: dict, r: int, cols: dict[str, int]) -> list[tuple[str, str, bool]]:
    """What collect would say about this row's values (collecting/values.py's parsers), as (cell, text, error).
    Values that parse are put back into `d` as numbers (numeric text), so the row reads them."""
    from .cells import column_letter

    from ..collecting.values import is_pending, parse_direction, parse_number

    out = []

    def cell(key: str) -> str:
        return f"{SHEET_ROWS}!{column_letter(cols[key])}{r}"

    for key, label in _NUMERIC_LABELS.items():
        v = d.get(key)
        if not isinstance(v, str) or not v.strip():
            continue
        if key == "current" and is_pending(v):
            d["pending"], d["current_text"], d[key] = True, d.get("current_text") or v.strip(), None
            continue
        x, found = parse_number(v, str(d.get("measure_unit") or ""))
        errors = [f for f in found if f.code != "number-as-text"]
        if errors or x is None:
            out.append((cell(key), f"{label}“{v.strip()}”不是数字", True))
            continue
        d[key] = x
        out.append((cell(key), f"{label}“{v.strip()}”是文本，已按 {x:g} 读取", False))
    if isinstance(d.get("self_rate"), (int, float)) and not 0 <= d["self_rate"] <= 1:
        out.append((cell("self_rate"), f"自评完成率 {d['self_rate']:g} 应为 0–1 之间的小数（如 0.85）", True))
    raw_direction = d.get("direction")
    if raw_direction is None or not str(raw_direction).strip():
        if d.get("target") is not None or d.get("current") is not None:
            out.append((cell("direction"), "指标方向为空，已按“越高越好”计算", False))
    else:
        _, found = parse_direction(raw_direction)
        if found:
            choices = "、".join(DIRECTION_LABELS.values())
            out.append((cell("direction"), f"指标方向“{str(raw_direction).strip()}”不是可选值（{choices}）", True))
    for key, label in (("item_no", "细化项目序号"), ("source_row", "来源行")):
        v = d.get(key)
        if v is not None and not (isinstance(v, int) and not isinstance(v, bool)) and not str(v).strip().isdigit():
            out.append((cell(key), f"{label}“{v}”应为整数", True))
            d[key] = 0
    return out


def _report(findings: list[tuple[str, str, bool]], path: Path, warnings: list[str] | None) -> None:
    errors = [(c, t) for c, t, e in findings if e]
    if warnings is not None:
        warnings.extend(f"{path}:{c}: {t}" for c, t, e in findings if not e)
    if errors:
        shown = "；".join(f"{c} {t}" for c, t in errors[:SHOWN_FINDINGS])
        more = f"；等共 {len(errors)} 处" if len(errors) > SHOWN_FINDINGS else ""
        raise XltasksError(f"进度台账有 {len(errors)} 处无法读取，请改正后重试：{shown}{more}", file=str(path),
                           where=errors[0][0])
