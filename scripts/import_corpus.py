"""The seeds' own tasks written out in every family of layouts and every format, imported back, scored.

    python scripts/import_corpus.py [--sample N] [--out DIR] [--json FILE]

The three seeds (000 Hangzhou, 003 Huzhou, 004 Yuhang; 431 tasks whose units the seed tests check by hand)
are imported with today's importer; each task — text, units in order, first unit, leaders — is then
written out as another office would publish it (issue 13's families: inline labelled fields, label lines,
分工意见 role phrases, brackets, numbered targets under a notice, tables with a two-row header and merged
cells, flattened web tables) in .txt, .docx, .pdf, .xlsx, .xls, .csv, and imported back. Per family and
format it reports: tasks found, unit lists exact, lead exact, deadlines kept, people taken for units.
PDF and .xls are printed by LibreOffice (skipped, and said so, where it is missing). One script on purpose
(over 400 lines): the writers of every family and the scoring are read together when a figure moves.
"""
from __future__ import annotations

import argparse
import csv
import difflib
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xltasks.core.textkeys import squash  # noqa: E402
from xltasks.importers import import_paths  # noqa: E402
from xltasks.importers.names import looks_like_person  # noqa: E402

SEEDS = ROOT / "tests" / "data" / "seeds"
SEED_FILES = {"000": "000_hangzhou_2021_decomposition.txt", "003": "003_huzhou_2021_decomposition.txt",
              "004": "004_yuhang_2018_decomposition.txt"}
DEADLINES = (("2021年6月底前", "2021-06-30"), ("2021年三季度", "2021-09-30"), ("2021年12月31日", "2021-12-31"),
             ("年内持续推进", None))
CN = "零一二三四五六七八九"
GOALS = {"tasks": 1.0, "units": 0.99, "lead": 1.0, "people": 0}


def cn_numeral(n: int) -> str:
    if n < 10:
        return CN[n]
    if n < 100:
        return ("" if n // 10 == 1 else CN[n // 10]) + "十" + (CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + CN[rest] if rest < 10 else ("一" + cn_numeral(rest) if rest < 20 else cn_numeral(rest)))
    return CN[n // 100] + "百" + tail


@dataclass
class Case:
    """One task as the seed importer read it, and how it is written out."""

    seed: str
    section: str
    group: str
    text: str
    units: list[str]
    lead_units: list[str]
    leaders: list[str]
    supporting: bool
    deadline: str = ""
    deadline_date: str | None = None

    @property
    def co(self) -> list[str]:
        return [u for u in self.units if u not in self.lead_units]


def seed_cases(sample: int = 0, combine: bool = False) -> dict[str, list[Case]]:
    """Each seed's tasks (a sample of `sample` per seed, with the unusual ones in it); `combine` puts all
    three seeds in one document per family and format (fewer files for LibreOffice to print)."""
    out: dict[str, list[Case]] = {}
    for seed, name in SEED_FILES.items():
        reg = import_paths([SEEDS / name])
        tasks = [t for t in reg.tasks if t.units]
        if sample:
            special = [t for t in tasks if t.supporting_only or len(t.unit_tiers) > 1 or len(t.units) > 5]
            step = max(1, len(tasks) // sample)
            picked = {id(t) for t in tasks[::step][:sample]} | {id(t) for t in special[: max(2, sample // 4)]}
            tasks = [t for t in tasks if id(t) in picked]
        cases = []
        for k, t in enumerate(tasks):
            text, date = DEADLINES[k % 4] if k % 3 == 0 else ("", None)
            # 004 names every unit of its 牵头单位 column as lead; elsewhere the first listed leads
            leads = list(t.units) if seed == "004" else t.units[:1]
            cases.append(Case(seed, t.section, t.group, t.text, list(t.units), leads,
                              [x for x in t.leader.split("、") if x], t.supporting_only, text, date))
        out[seed] = cases
    if combine:
        return {"mix": [c for cs in out.values() for c in cs]}
    return out


def _sections(cases: list[Case]) -> list[tuple[str, list[Case]]]:
    out: list[tuple[str, list[Case]]] = []
    for c in cases:
        if not out or out[-1][0] != c.section:
            out.append((c.section, []))
        out[-1][1].append(c)
    return out


def _title(section: str, k: int) -> str:
    plain = section.lstrip("一二三四五六七八九十、 ").replace("附件", "").lstrip("0123456789 ")
    return f"{cn_numeral(k)}、{plain or '重点工作'}"


def _units_text(c: Case) -> str:
    return "、".join(c.units) + ("配合落实" if c.supporting else "")


# ---------------------------------------------------------------------------------------------
# Families as lines of text

def family_inline(cases: list[Case]) -> list[str]:
    lines = ["关于印发政府工作报告重点工作责任分解的通知", "各有关单位：现将责任分解印发给你们，请认真抓好落实。"]
    for k, (section, group) in enumerate(_sections(cases), start=1):
        lines.append(_title(section, k))
        for n, c in enumerate(group, start=1):
            fields = [f"责任领导：{'、'.join(c.leaders)}"] if c.leaders else []
            if c.supporting:
                fields.append(f"责任单位：{_units_text(c)}")
            else:
                fields.append(f"牵头单位：{'、'.join(c.lead_units)}")
                if c.co:
                    fields.append(f"配合单位：{'、'.join(c.co)}")
            if c.deadline:
                fields.append(f"完成时限：{c.deadline}")
            lines.append(f"{n}.{c.text}（{'；'.join(fields)}）")
    return lines


def family_label_lines(cases: list[Case]) -> list[str]:
    lines = ["重点工作责任分解"]
    for k, (section, group) in enumerate(_sections(cases), start=1):
        lines.append(_title(section, k))
        last_group = None
        g = 0
        for n, c in enumerate(group, start=1):
            if c.group and c.group != last_group:
                g += 1
                lines.append(f"（{cn_numeral(g)}）{c.group.lstrip('(（一二三四五六七八九十)） ')}")
                last_group = c.group
            lines.append(f"{n}、{c.text}")
            if c.supporting or not c.co:
                lines.append(f"责任单位：{_units_text(c)}")
            else:
                lines += [f"牵头单位：{'、'.join(c.lead_units)}", f"配合单位：{'、'.join(c.co)}"]
            if c.leaders:
                lines.append(f"责任领导：{'、'.join(c.leaders)}")
            if c.deadline:
                lines.append(f"完成时限：{c.deadline}")
    return lines


def family_role_phrases(cases: list[Case]) -> list[str]:
    lines = ["关于落实政府工作报告重点工作部门分工的意见"]
    n = 0
    for k, (section, group) in enumerate(_sections(cases), start=1):
        lines.append(_title(section, k))
        for c in group:
            n += 1
            if c.supporting:
                phrase = f"{'、'.join(c.units)}配合落实"
            elif c.co:
                phrase = f"{'、'.join(c.lead_units)}牵头，{'、'.join(c.co)}按职责分工负责"
            else:
                phrase = f"{'、'.join(c.lead_units)}负责" if len(c.lead_units) == 1 else \
                    f"{'、'.join(c.lead_units)}牵头"
            if c.deadline:
                phrase += f"，{c.deadline}"
            lines.append(f"（{cn_numeral(n)}）{c.text}（{phrase}）")
    return lines


def family_brackets(cases: list[Case]) -> list[str]:
    lines = ["重点工作任务清单"]
    for k, (section, group) in enumerate(_sections(cases), start=1):
        lines.append(_title(section, k))
        for n, c in enumerate(group, start=1):
            deadline = f"；完成时限：{c.deadline}" if c.deadline else ""
            if c.supporting or not c.co:
                inner = f"[责任单位：{_units_text(c)}{deadline}]"
            else:
                inner = f"【牵头单位：{'、'.join(c.lead_units)}；配合单位：{'、'.join(c.co)}{deadline}】"
            lines.append(f"{n}.{c.text}{inner}")
    return lines


def family_notice(cases: list[Case]) -> list[str]:
    lines = ["关于做好年度重点工作的通知", "一、总体要求", "坚持稳中求进工作总基调，确保全面完成年度目标任务。",
             "二、主要目标", "全年经济社会发展主要预期目标如下，各单位要对照分解落实。"]
    for k, (section, group) in enumerate(_sections(cases), start=3):
        lines.append(_title(section, k))
        for n, c in enumerate(group, start=1):
            lines.append(f"（{cn_numeral(n)}）{c.text}")
            lines.append(f"责任单位：{_units_text(c)}")
            if c.deadline:
                lines.append(f"时间节点：{c.deadline}")
    lines += [f"{cn_numeral(len(_sections(cases)) + 3)}、工作要求", "各单位要高度重视，每季度末报送进展情况。"]
    return lines


TEXT_FAMILIES = {"inline": family_inline, "label-lines": family_label_lines, "role-phrases": family_role_phrases,
                 "brackets": family_brackets, "notice": family_notice}


# ---------------------------------------------------------------------------------------------
# Tables and flattened web tables

TABLE_HEADER = ["序号", "工作任务", "责任领导", "牵头单位", "配合单位", "完成时限"]


def table_rows(cases: list[Case]) -> list[tuple[str, list[str]]]:
    """("section", [title]) and ("task", cells) rows, numbering restarting per section."""
    rows: list[tuple[str, list[str]]] = []
    for k, (section, group) in enumerate(_sections(cases), start=1):
        if section:
            rows.append(("section", [_title(section, k)]))
        for n, c in enumerate(group, start=1):
            lead, co = ("", "、".join(c.units)) if c.supporting else ("、".join(c.lead_units), "、".join(c.co))
            rows.append(("task", [str(n), c.text, "、".join(c.leaders), lead, co, c.deadline]))
    return rows


def write_xlsx(cases: list[Case], path: Path) -> None:
    """A two-row header (责任单位 merged over 牵头单位 | 配合单位), a hidden superseded first sheet, section
    rows merged across, leader cells merged down over consecutive tasks."""
    import openpyxl

    wb = openpyxl.Workbook()
    old = wb.active
    old.title = "旧版"
    old.append(["序号", "工作任务", "责任单位"])
    old.append(["1", "这是被替换的旧版本任务。", "市旧局"])
    old.sheet_state = "hidden"
    ws = wb.create_sheet("责任分解")
    ws.append(["重点工作责任分解表"])
    ws.append(["序号", "工作任务", "责任领导", "责任单位", None, "完成时限"])
    ws.append([None, None, None, "牵头单位", "配合单位", None])
    ws.merge_cells("D2:E2")
    for col in "ABCF":
        ws.merge_cells(f"{col}2:{col}3")
    run: list[int] = []  # rows of the current leader run
    for kind, cells in table_rows(cases):
        r = ws.max_row + 1
        if kind == "section":
            _merge_run(ws, run)
            run = []
            ws.append(cells)
            ws.merge_cells(f"A{r}:F{r}")
            continue
        if run and cells[2] and ws.cell(run[0], 3).value == cells[2]:
            ws.append([cells[0], cells[1], None, *cells[3:]])
            run.append(r)
        else:
            _merge_run(ws, run)
            ws.append(cells)
            run = [r]
    _merge_run(ws, run)
    wb.save(path)


def _merge_run(ws, run: list[int]) -> None:
    if len(run) > 1:
        ws.merge_cells(f"C{run[0]}:C{run[-1]}")


def write_csv(cases: list[Case], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TABLE_HEADER)
        for kind, cells in table_rows(cases):
            w.writerow(cells + [""] * (6 - len(cells)))


def web_lines(cases: list[Case]) -> list[str]:
    """One cell per line, blank lines between cells, empty cells dropped (what a scrape gives)."""
    lines = ["网站首页 > 政务公开 > 计划总结", ""]
    if not cases[0].section:
        lines += [x for h in TABLE_HEADER for x in (h, "")]
    for kind, cells in table_rows(cases):
        if kind == "section":
            lines += [cells[0], ""] + [x for h in TABLE_HEADER for x in (h, "")]
            continue
        lines += [x for c in cells if c for x in (c, "")]
    return lines


def sep_lines(cases: list[Case], sep: str) -> list[str]:
    out = [sep.join(TABLE_HEADER)]
    for kind, cells in table_rows(cases):
        out.append(sep.join(cells if kind == "task" else cells + [""] * 5))
    return [f"| {x} |" for x in out] if sep == " | " else out


# ---------------------------------------------------------------------------------------------
# Word and PDF

def _fixtures():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_docx_fixtures", ROOT / "scripts" / "make_docx_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_docx_paragraphs(lines: list[str], path: Path) -> None:
    from docx import Document

    doc = Document()
    _fixtures()._landscape(doc)
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))


def write_docx_table(cases: list[Case], path: Path) -> None:
    """A Word table with a two-row header, leader cells merged down, and narrow unit columns that wrap."""
    from docx import Document

    fx = _fixtures()
    doc = Document()
    fx._landscape(doc)
    doc.add_paragraph("重点工作责任分解表")
    rows = table_rows(cases)
    table = doc.add_table(rows=2 + len(rows), cols=6)
    table.style = "Table Grid"
    for c, text in enumerate(["序号", "工作任务", "责任领导", "责任单位", "", "完成时限"]):
        fx._set_lines(table.cell(0, c), [text] if text else [""])
    for c, text in ((3, "牵头单位"), (4, "配合单位")):
        fx._set_lines(table.cell(1, c), [text])
    table.cell(0, 3).merge(table.cell(0, 4))
    for c in (0, 1, 2, 5):
        table.cell(0, c).merge(table.cell(1, c))
    fx._repeat_header(table.rows[0])
    fx._repeat_header(table.rows[1])
    run_start, run_value = None, None
    for r, (kind, cells) in enumerate(rows, start=2):
        if kind == "section":
            merged = table.cell(r, 0).merge(table.cell(r, 5))
            fx._set_lines(merged, cells)
            run_start = None
            continue
        for c, value in enumerate(cells):
            if c != 2:
                fx._set_lines(table.cell(r, c), [value])
        if run_start is not None and cells[2] == run_value and cells[2]:
            merged = table.cell(run_start, 2).merge(table.cell(r, 2))
            fx._set_lines(merged, [run_value])
        else:
            fx._set_lines(table.cell(r, 2), [cells[2]])
            run_start, run_value = r, cells[2]
    fx._widths(table, [1.2, 12.0, 2.4, 3.6, 3.6, 2.4])
    doc.save(str(path))


def convert_all(paths: list[Path], to: str) -> dict[Path, Path]:
    """Print every file through LibreOffice (one process for all); {} where LibreOffice is missing."""
    from xltasks.core.libreoffice import convert, find_soffice

    if not paths or not find_soffice():
        return {}
    return {p: convert(p, p.parent, to) for p in paths}


# ---------------------------------------------------------------------------------------------
# Building the corpus and scoring it

def build(cases: dict[str, list[Case]], out: Path, *, printed: bool = True) -> list[tuple[str, str, str, Path]]:
    """(family, format, seed, path) of every document written."""
    made: list[tuple[str, str, str, Path]] = []
    to_pdf: list[tuple[str, str, Path]] = []
    for seed, cs in cases.items():
        for family, writer in TEXT_FAMILIES.items():
            lines = writer(cs)
            p = out / f"{seed}_{family}.txt"
            p.write_text("\n".join(lines), encoding="utf-8")
            made.append((family, "txt", seed, p))
            d = out / f"{seed}_{family}.docx"
            write_docx_paragraphs(lines, d)
            made.append((family, "docx", seed, d))
            to_pdf.append((family, seed, d))
        x = out / f"{seed}_table.xlsx"
        write_xlsx(cs, x)
        made.append(("table", "xlsx", seed, x))
        c = out / f"{seed}_table.csv"
        write_csv(cs, c)
        made.append(("table", "csv", seed, c))
        d = out / f"{seed}_table.docx"
        write_docx_table(cs, d)
        made.append(("table", "docx", seed, d))
        to_pdf.append(("table", seed, d))
        for fmt, lines in (("one-cell-per-line", web_lines(cs)), ("pipe", sep_lines(cs, " | ")),
                           ("tab", sep_lines(cs, "\t"))):
            p = out / f"{seed}_web_{fmt}.txt"
            p.write_text("\n".join(lines), encoding="utf-8")
            made.append(("web", fmt, seed, p))
    if printed:
        pdfs = convert_all([d for _f, _s, d in to_pdf], "pdf")
        made += [(f, "pdf", s, pdfs[d]) for f, s, d in to_pdf if d in pdfs]
        xls = convert_all([p for f, fmt, s, p in made if fmt == "xlsx"], "xls")
        made += [("table", "xls", p.name.split("_")[0], q) for p, q in xls.items()]
    return made


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    units: int = 0
    lead: int = 0
    deadlines: int = 0
    deadlines_expected: int = 0
    people: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for k in ("expected", "found", "units", "lead", "deadlines", "deadlines_expected", "people"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.errors += other.errors

    def meets_goals(self) -> bool:
        e = max(self.expected, 1)
        return (self.found / e >= GOALS["tasks"] and self.units / e >= GOALS["units"]
                and self.lead / e >= GOALS["lead"] and self.people <= GOALS["people"])


def score(cases: list[Case], path: Path, people: set[str]) -> Score:
    s = Score(expected=len(cases), deadlines_expected=sum(1 for c in cases if c.deadline))
    try:
        reg = import_paths([path])
    except Exception as exc:  # noqa: BLE001 - a failed import scores zero and is reported
        s.errors.append(f"{path.name}: {exc}")
        return s
    got = reg.tasks
    keys_want = [squash(c.text)[:40] for c in cases]
    keys_got = [squash(t.text)[:40] for t in got]
    matcher = difflib.SequenceMatcher(None, keys_want, keys_got, autojunk=False)
    pairs = [(a + k, b + k) for a, b, n in matcher.get_matching_blocks() for k in range(n)]
    for i, j in pairs:
        c, t = cases[i], got[j]
        s.found += 1
        s.units += t.units == c.units
        s.lead += t.lead_unit == c.units[0]
        s.deadlines += bool(c.deadline) and t.deadline_date == c.deadline_date and bool(t.deadline)
        if t.units != c.units and len(s.errors) < 5:
            s.errors.append(f"{path.name} {t.no}: {t.units} != {c.units}")
    s.people = sum(1 for t in got for u in t.units if u in people or looks_like_person(u))
    if len(pairs) < len(cases):
        s.errors.append(f"{path.name}: {len(pairs)}/{len(cases)} tasks found ({len(got)} read)")
    return s


def run(sample: int = 0, out: Path | None = None, printed: bool = True,
        combine: bool = False) -> dict[tuple[str, str], Score]:
    cases = seed_cases(sample, combine)
    people = {p for cs in cases.values() for c in cs for p in c.leaders}
    with tempfile.TemporaryDirectory() as tmp:
        folder = out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results: dict[tuple[str, str], Score] = {}
        for family, fmt, seed, path in build(cases, folder, printed=printed):
            results.setdefault((family, fmt), Score()).add(score(cases[seed], path, people))
    return results


def table(results: dict[tuple[str, str], Score]) -> str:
    lines = ["| family | format | tasks found | unit lists exact | lead exact | deadlines kept | people as units |",
             "|---|---|---|---|---|---|---|"]

    def pct(a: int, b: int) -> str:
        return f"{a}/{b} ({100 * a / b:.1f}%)" if b else "–"

    for (family, fmt), s in results.items():
        lines.append(f"| {family} | {fmt} | {pct(s.found, s.expected)} | {pct(s.units, s.expected)} | "
                     f"{pct(s.lead, s.expected)} | {pct(s.deadlines, s.deadlines_expected)} | {s.people} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=0, help="tasks per seed (0: all 431)")
    ap.add_argument("--out", type=Path, help="keep the generated documents here")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    ap.add_argument("--no-print", action="store_true", help="skip PDF and .xls (no LibreOffice)")
    args = ap.parse_args()
    from xltasks.core.libreoffice import find_soffice

    if not args.no_print and not find_soffice():
        print("LibreOffice (soffice) not found: PDF and .xls are skipped", file=sys.stderr)
    results = run(args.sample, args.out, printed=not args.no_print)
    print(table(results))
    for s in results.values():
        for e in s.errors[:5]:
            print("  ", e)
    if args.json:
        args.json.write_text(json.dumps({f"{f}/{m}": vars(s) for (f, m), s in results.items()}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 0 if all(s.meets_goals() for s in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
