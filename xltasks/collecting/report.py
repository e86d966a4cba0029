"""The collect reports: report.xlsx for people, report.json for machines (frictionless-like).

report.xlsx: 问题清单 (one row per problem, filterable, sorted by unit), 报送情况 (every unit of the register:
已报送 / 有错误退回 / 未报送 with counts; a rejected file whose _meta names the unit, wrong period included, makes
it 有错误退回, see merge.py), 催报 (the units to chase: missing or sent back), 文件清单 (every
file seen with its status). report.json: {"valid", "period", "stats", "files": [{"path", "sha256", "unit",
"valid", "status", "problems": [{"code", "level", "sheet", "cell", "message", "suggestion"}]}],
"units": [...], "missing_units": [...], "rejected_units": [...]}. A workspace run (the period's deadline known)
adds the time each unit's return was received and 逾期报送 (late) to 报送情况, and "deadline", "late_units"
and each unit's "received_at"/"late" to report.json.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..core.fileio import atomic_write_text, atomic_write_with, source_name
from .newest import shown_time
from ..core.models import LEVEL_ERROR, LEVEL_WARNING
from ..core.problems import CODES
from ..core.results import CollectResult
from ..core.statuses import FileStatus, SubmissionStatus
from ..core.xlsx import header_format, new_workbook, write_table

SHEET_PROBLEMS = "问题清单"
SHEET_UNITS = "报送情况"
SHEET_REMIND = "催报"
SHEET_FILES = "文件清单"
NO_UNIT = "（未识别）"
LATE_LABEL = "逾期报送"
UNREAD_LABEL = "未读取"
UNREAD_SHOWN = 10  # at most this many 未读取 lines on the console; 文件清单 lists all


def report_dict(result: CollectResult) -> dict:
    files = []
    for f in result.files:
        files.append({
            "path": f.path, "sha256": f.sha256, "size": f.size, "unit": f.unit, "period": f.period,
            "valid": f.valid, "status": f.status,
            "saved_at": f.saved_at.isoformat() if f.saved_at else None,
            "received_at": f.received_at.isoformat(timespec="seconds") if f.received_at else None,
            "received_basis": f.received_basis or None,
            "superseded_by": f.superseded_by or None,
            "rows": len(f.rows),
            "problems": [{"code": p.code, "level": p.level, "sheet": p.sheet, "cell": p.cell,
                          "message": p.message, "suggestion": p.suggestion} for p in f.problems],
        })
    out = {
        "valid": result.valid,
        "period": result.period,
        "generated_at": result.started_at,
        "stats": result.stats(),
        "files": files,
        "units": [{"unit": u.unit, "kind": u.kind, "status": u.status, "tasks": u.tasks, "lead_tasks": u.lead_tasks,
                   "files": u.files, "errors": u.errors, "warnings": u.warnings, "rows": u.rows, "file": u.file}
                  for u in result.units],
        "missing_units": result.missing_units,
        "rejected_units": result.rejected_units,
        "unread": [{"path": u.path, "reason": u.reason} for u in result.unread],
    }
    if result.deadline is not None:  # a workspace run: when each return came, and which came late
        out["deadline"] = result.deadline.isoformat()
        out["late_units"] = result.late_units
        for entry, u in zip(out["units"], result.units):
            entry.update(received_at=u.received_at, late=u.late)
    return out


def write_json(result: CollectResult, path: str | Path) -> None:
    atomic_write_text(path, json.dumps(report_dict(result), ensure_ascii=False, indent=1))


def write_xlsx(result: CollectResult, path: str | Path) -> None:
    def write(tmp: Path) -> None:
        wb = new_workbook(tmp)
        head = header_format(wb, align="center")
        err, warn = {"font_color": "#C00000"}, {"font_color": "#9C5700"}  # a row's colour

        def shown(path: str) -> str:
            return shown_path(path, result.folders)

        def table(name, columns, rows, *, formats=None):
            return write_table(wb, name, columns, rows, head=head, cell={"valign": "top"}, formats=formats, a3=True)

        probs = result.problems
        table(SHEET_PROBLEMS,
              (("单位", 24), ("文件", 36), ("工作表", 8), ("单元格", 7), ("级别", 6), ("代码", 20), ("类别", 12),
               ("问题", 50), ("修改建议", 50)),
              [(p.unit or NO_UNIT, shown(p.file), p.sheet, p.cell, p.level, p.code, CODES[p.code].title, p.message,
                p.suggestion) for p in probs],
              formats=lambda v: err if v[4] == LEVEL_ERROR else warn)
        timely = result.deadline is not None  # a workspace run knows when each return came
        table(SHEET_UNITS,
              (("单位", 28), ("单位类型", 10), ("任务数", 7), ("牵头任务数", 8), ("报送情况", 10), ("收到文件数", 8),
               ("错误数", 7), ("警告数", 7), ("进度行数", 8), ("采用/退回的文件", 40))
              + ((("收到时间", 18), (LATE_LABEL, 9)) if timely else ()),
              [(u.unit, u.kind, u.tasks, u.lead_tasks, u.status, u.files, u.errors, u.warnings, u.rows, shown(u.file))
               + ((u.received_at.replace("T", " ")[:16], LATE_LABEL if u.late else "") if timely else ())
               for u in result.units],
              formats=lambda v: (err if v[4] == SubmissionStatus.REJECTED
                                 else warn if v[4] == SubmissionStatus.MISSING else None))
        chase = [u for u in result.units if u.status in (SubmissionStatus.MISSING, SubmissionStatus.REJECTED)]
        table(SHEET_REMIND,
              (("单位", 28), ("情况", 10), ("任务数", 7), ("牵头任务数", 8), ("错误数", 7), ("需要做的", 50)),
              [(u.unit, u.status, u.tasks, u.lead_tasks, u.errors,
                "尽快报送填报表" if u.status == SubmissionStatus.MISSING else f"按问题清单修改 {u.errors} 处错误后重新报送")
               for u in chase])
        table(SHEET_FILES,
              (("文件", 44), ("单位", 24), ("报送期", 8), ("状态", 8), ("错误数", 7), ("警告数", 7), ("进度行数", 8),
               ("工作簿保存时间", 18), ("SHA256", 20), ("收到时间", 18), ("收到时间依据", 14), ("未读取原因", 50)),
              [(shown(f.path), f.unit or NO_UNIT, f.period, FileStatus(f.status).label, f.errors, f.warnings,
                len(f.rows), f.saved_at.isoformat(sep=" ") if f.saved_at else "", f.sha256,
                shown_time(f.received_at) if f.received_at else "", f.received_basis, "") for f in result.files]
              + [(shown(u.path), NO_UNIT, "", UNREAD_LABEL, 0, 0, 0, "", "", "", "", u.reason) for u in result.unread])
        wb.close()

    atomic_write_with(path, write)


def shown_path(path: str, folders) -> str:
    """A returned file as people find it: relative to the folder it was collected from ("sub/a.xlsx",
    "mail.zip::b.xlsx"), not the machine's absolute path. report.json keeps full paths."""
    import os

    from .intake import shown_path as readable

    disk, sep, member = (path or "").partition("::")
    for folder in folders:
        folder_abs = os.path.abspath(readable(folder))  # paths are stored readable (intake.shown_path)
        try:
            rel = os.path.relpath(os.path.abspath(disk), folder_abs)
        except ValueError:  # another drive on Windows
            continue
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            continue
        return (Path(rel).as_posix() if rel != os.curdir else os.path.basename(folder_abs)) + sep + member
    return path or ""


def summary_lines(result: CollectResult, outputs: dict[str, str]) -> list[str]:
    """The short Chinese summary the CLI prints on stdout."""
    s = result.stats()
    lines = [
        f"收到文件：{s['files']} 个（采用 {s['accepted']}，退回 {s['rejected']}，被替代 {s['superseded']}）",
        f"单位：{s['units']} 个（已报送 {s['reported_units']}，有错误退回 {s['rejected_units']}，"
        f"未报送 {s['missing_units']}）",
        f"问题：错误 {s['errors']} 个，警告 {s['warnings']} 个",
        f"合并进度行：{s['rows']} 行",
    ]
    if result.unread:
        lines.append(f"未读取的文件：{len(result.unread)} 个（原因见问题报告的“{SHEET_FILES}”）")
        for u in result.unread[:UNREAD_SHOWN]:
            lines.append(f"  未读取：{shown_path(u.path, result.folders)}：{u.reason}")
        if len(result.unread) > UNREAD_SHOWN:
            lines.append(f"  …（另有 {len(result.unread) - UNREAD_SHOWN} 个）")
    if result.missing_units:
        shown = "、".join(result.missing_units[:10]) + ("等" if len(result.missing_units) > 10 else "")
        lines.append(f"未报送单位：{shown}")
    if result.late_units:
        shown = "、".join(result.late_units[:10]) + ("等" if len(result.late_units) > 10 else "")
        lines.append(f"{LATE_LABEL}（截止 {result.deadline.isoformat()} 后收到，已采用）：{shown}")
    from .intake import shown_path as readable

    for label, p in outputs.items():
        if p:
            lines.append(f"{label}：{readable(p)}")
    return lines


def load_report(path: str | Path) -> dict:
    from ..core.errors import InputError

    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("找不到报告文件", file=str(p)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"不是有效的 JSON 报告: {exc}", file=str(p)) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list) or "missing_units" not in data:
        raise InputError("不是 xltasks collect 生成的 report.json（缺少 files / missing_units）", file=str(p))
    _check_report_shape(data, str(p))
    return data


def _check_report_shape(data: dict, file: str) -> None:
    """A hand-edited report.json: every key remind reads has the type collect writes, and every unit to
    write a notice for is a non-empty name; otherwise an InputError naming the file and the key."""
    from ..core.errors import InputError

    def kind(v) -> str:
        return "null" if v is None else type(v).__name__

    if not isinstance(data.get("period", ""), str):
        raise InputError(f"period 应为文字（现为 {kind(data['period'])}）", file=file, where="period")
    for key in ("units", "missing_units", "rejected_units"):
        if key in data and not isinstance(data[key], list):
            raise InputError(f"{key} 应为列表（现为 {kind(data[key])}）", file=file, where=key)
    for key in ("units", "files"):
        for i, item in enumerate(data.get(key, [])):
            if not isinstance(item, dict):
                raise InputError(f"应为对象（现为 {kind(item)}）", file=file, where=f"{key}[{i}]")
    for i, u in enumerate(data.get("units", [])):
        if not isinstance(u.get("unit"), str):
            raise InputError(f"单位名称应为文字（现为 {kind(u.get('unit'))}）", file=file, where=f"units[{i}].unit")
        if not isinstance(u.get("file", ""), (str, type(None))):
            raise InputError(f"应为文字（现为 {kind(u.get('file'))}）", file=file, where=f"units[{i}].file")
        for k in ("tasks", "lead_tasks", "errors"):
            if k in u and (not isinstance(u[k], int) or isinstance(u[k], bool)):
                raise InputError(f"应为整数（现为 {kind(u[k])}）", file=file, where=f"units[{i}].{k}")
    for i, f in enumerate(data["files"]):
        if not isinstance(f.get("path", ""), str):
            raise InputError(f"应为文字（现为 {kind(f.get('path'))}）", file=file, where=f"files[{i}].path")
        problems = f.get("problems", [])
        if not isinstance(problems, list) or not all(isinstance(x, dict) for x in problems):
            raise InputError("应为问题对象的列表", file=file, where=f"files[{i}].problems")
        for x in problems:  # a key deleted by hand prints as blank in the notice, not as an internal error
            for k in ("code", "level", "sheet", "cell", "message", "suggestion"):
                x.setdefault(k, "")
    for key in ("missing_units", "rejected_units"):
        for i, name in enumerate(data.get(key, [])):
            if not isinstance(name, str) or not name.strip():
                shown = "空" if isinstance(name, str) else kind(name)
                raise InputError(f"单位名称应为非空文字（现为 {shown}），请改正或删去这一项", file=file,
                                   where=f"{key}[{i}]")
        if key in data:  # a name listed twice gets one notice
            data[key] = list(dict.fromkeys(data[key]))


def reminder_texts(report: dict, *, deadline: str = "", contact: str = "", as_of: str = "") -> list[tuple[str, str, str]]:
    """(unit, kind, text) of each notice: a 催报通知 per missing unit, a 退回修改通知 per rejected unit."""
    import datetime as dt

    from ..core.texts import render

    period = report.get("period", "")
    as_of = as_of or dt.date.today().isoformat()
    units = {u["unit"]: u for u in report.get("units", [])}
    out: list[tuple[str, str, str]] = []
    for unit in report.get("missing_units", []):
        u = units.get(unit, {})
        out.append((unit, "催报通知", render("催报通知.txt.j2", unit=unit, period=period, as_of=as_of,
                                            tasks=u.get("tasks", 0), lead_tasks=u.get("lead_tasks", 0),
                                            deadline=deadline, contact=contact)))
    files = {f["path"]: f for f in report.get("files", [])}
    for unit in report.get("rejected_units", []):
        u = units.get(unit, {})
        f = files.get(u.get("file") or "", {})
        problems = f.get("problems", [])
        text = render("退回修改通知.txt.j2", unit=unit, period=period, file=source_name(f.get("path", ""))
                      if "::" not in str(f.get("path", "")) else str(f.get("path")).split("::")[-1],
                      errors=sum(p.get("level") == LEVEL_ERROR for p in problems),
                      warnings=sum(p.get("level") == LEVEL_WARNING for p in problems), problems=problems,
                      deadline=deadline, contact=contact)
        out.append((unit, "退回修改通知", text))
    return out


def write_reminders(report: dict, out_dir: str | Path, *, deadline: str = "", contact: str = "",
                    as_of: str = "") -> list[Path]:
    """One notice per missing unit (催报通知) and per rejected unit (退回修改通知); returns the paths."""
    from ..core.fileio import atomic_write_notice, safe_filename

    out_dir = Path(out_dir)
    period = report.get("period", "")
    written: list[Path] = []
    used: set[str] = set()

    def notice_path(unit: str, kind: str) -> Path:
        # two names the file system cannot tell apart ("a/b", "a_b"; "A", "a") get two notices
        base = f"{safe_filename(f'{period}_{unit}')}_{kind}"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name.lower())
        return out_dir / f"{name}.txt"

    for unit, kind, text in reminder_texts(report, deadline=deadline, contact=contact, as_of=as_of):
        path = notice_path(unit, kind)
        atomic_write_notice(path, text)
        written.append(path)
    return written
