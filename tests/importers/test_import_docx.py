"""Import from Word (.docx) and PDF: the seeds rebuilt as real Word tables and a LibreOffice PDF read back
to the same tasks, units and leads as the seed text import."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from tests.conftest import SEED_000, SEED_003, SEED_004
from xltasks.core.errors import XltasksError
from xltasks.importers import import_paths
from xltasks.importers.document import read_body, read_docx, read_pdf, read_table_xml, tables_to_rows

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("no", "starred", "text", "units", "lead_unit", "leader", "supporting_only")


def _load_fixture_script():
    spec = importlib.util.spec_from_file_location("make_docx_fixtures", ROOT / "scripts" / "make_docx_fixtures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fx = _load_fixture_script()


@pytest.fixture(scope="session")
def docs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("docx_fixtures")
    return fx.make_all(out, pdf=False)


@pytest.fixture(scope="session")
def pdf_004(docs, soffice_writer, tmp_path_factory) -> Path:
    return fx.make_pdf(docs["004"], tmp_path_factory.mktemp("pdf"))


def _diffs(got, want, keys=KEYS) -> list[str]:
    out = []
    if len(got) != len(want):
        out.append(f"task count {len(got)} != {len(want)}")
    for a, b in zip(got, want):
        for k in keys:
            if getattr(a, k) != getattr(b, k):
                out.append(f"task {b.id} {k}: {getattr(a, k)!r} != {getattr(b, k)!r}")
    return out


# ---------------------------------------------------------------- the fixtures are what they claim

def test_004_docx_has_real_merges_breaks_and_two_tables(docs):
    doc = Document(str(docs["004"]))
    xml = doc.element.xml
    assert len(doc.tables) == 2
    assert xml.count("<w:vMerge") >= 10  # leader cells merged down
    assert "<w:br/>" in xml  # soft line breaks inside cells
    assert "(钱江经济开发区)" in [p.text for t in doc.tables for c in t._cells for p in c.paragraphs]
    # both parts start with the same header, marked to repeat
    assert xml.count("<w:tblHeader") == 2


def test_merged_cells_grid():
    """gridSpan leaves the covered columns empty; vMerge repeats the value in every row it spans."""
    doc = Document()
    t = doc.add_table(rows=4, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "一、标题"
    t.cell(1, 0).text, t.cell(2, 0).text, t.cell(3, 0).text = "1", "2", "3"
    t.cell(1, 1).text, t.cell(2, 1).text, t.cell(3, 1).text = "甲", "乙", "丙"
    t.cell(1, 2).merge(t.cell(3, 2)).text = "王宏"
    grid = read_table_xml(t._tbl, 1).rows
    assert grid[0] == [["一、标题"], None, None]
    assert [r[2] for r in grid[1:]] == [["王宏"], ["王宏"], ["王宏"]]
    assert [r[1] for r in grid[1:]] == [["甲"], ["乙"], ["丙"]]


# ---------------------------------------------------------------- Word tables

def test_004_docx_imports_like_seed_text(docs):
    want = import_paths([SEED_004])
    got = read_docx(docs["004"])
    assert len(got.tasks) == 83
    assert _diffs(got.tasks, want.tasks) == []
    assert len({n for t in got.tasks for n in t.leader.split("、")}) == 16
    t15 = got.tasks[14]
    assert t15.units[-1] == "余杭经济技术开发区(钱江经济开发区)"  # the continuation line joined back
    assert got.tasks[1].leader == "沈昱、祝振伟"  # letter-spaced name, merged-cell leader
    assert got.warnings == []


def test_004_docx_continues_split_table(docs):
    rows = tables_to_rows(read_body(docs["004"]))
    assert rows.tables == [1, 2] and rows.header_rows == 2
    nos = [r[0] for r in rows.rows[1:]]
    assert nos == [str(n) for n in range(1, 84)]  # header repeat dropped, numbering continues


def test_000_docx_sections_and_groups_span_the_table(docs):
    text = import_paths([SEED_000])
    want = [t for t in text.tasks if t.section.strip().startswith("三、")
            or (t.section.strip().startswith("四、") and t.group.startswith(("(一)", "(二)")))]
    got = read_docx(docs["000"])
    assert len(got.tasks) == len(want) == 42 + len([t for t in want if t.section.strip().startswith("四、")])
    assert _diffs(got.tasks, want, KEYS + ("group",)) == []
    assert [t.section.strip() for t in got.tasks] == [t.section.strip() for t in want]
    assert {s.sections for s in got.sources} == {2}


def test_003_docx_paragraphs_import_like_seed_text(docs):
    want = import_paths([SEED_003])
    got = read_docx(docs["003"])
    assert len(got.tasks) == 132
    assert _diffs(got.tasks, want.tasks, KEYS + ("id", "section", "group", "subitems")) == []


def test_docx_through_import_paths_and_cli(docs, tmp_path):
    from xltasks.cli import main

    reg = import_paths([docs["004"]])
    assert len(reg.tasks) == 83 and reg.sources[0].sha256
    out = tmp_path / "register.xlsx"
    res = CliRunner().invoke(main, ["import", str(docs["004"]), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "任务 83 项" in res.output
    assert out.exists() and out.with_suffix(".json").exists()


def test_cli_dispatches_docx_without_test_imports(docs, tmp_path):
    """A fresh interpreter (nothing imported by this test module) must know .docx: the package wires it."""
    out = tmp_path / "r.xlsx"
    proc = subprocess.run([sys.executable, "-m", "xltasks", "import", str(docs["003"]), "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "任务 132 项" in proc.stdout


def test_not_a_docx_is_a_clear_error(tmp_path):
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(XltasksError) as exc:
        read_docx(bad)
    assert "坏文件.docx" in str(exc.value) and "Word" in str(exc.value)


# ---------------------------------------------------------------- PDF

def test_pdf_from_docx_imports_like_seed_text(pdf_004):
    want = import_paths([SEED_004])
    got = read_pdf(pdf_004)
    assert [t.no for t in got.tasks] == [str(n) for n in range(1, 84)]
    assert _diffs(got.tasks, want.tasks, ("no", "units", "lead_unit", "leader", "text")) == []


def test_scanned_pdf_is_a_clear_error(docs):
    with pytest.raises(XltasksError) as exc:
        read_pdf(docs["scanned"])
    msg = str(exc.value)
    assert "scanned.pdf" in msg and "没有文字层" in msg and "扫描" in msg


def test_section_paragraphs_between_table_parts(tmp_path):
    """Section titles written as paragraphs above each table part; a note after the table is warned about."""
    doc = Document()
    doc.add_paragraph("2021年重点工作责任分解")
    for title, no, task, unit in (("一、第一部分", "1", "推进甲工作。", "市发改委\n市经信局"),
                                  ("二、第二部分", "1", "推进乙工作。", "西湖区、滨江区政府")):
        doc.add_paragraph(title)
        t = doc.add_table(rows=2, cols=3)
        for c, v in zip(t.rows[0].cells, ("序号", "重点工作任务", "责任单位")):
            c.text = v
        for c, v in zip(t.rows[1].cells, (no, task, unit)):
            c.text = v
    doc.add_paragraph("备注:以上任务按季度报送进展。")
    path = tmp_path / "parts.docx"
    doc.save(str(path))
    reg = read_docx(path)
    assert [(t.section, t.no, t.units) for t in reg.tasks] == [
        ("一、第一部分", "1", ["市发改委", "市经信局"]), ("二、第二部分", "1", ["西湖区政府", "滨江区政府"])]
    assert any("备注:以上任务" in w.message for w in reg.warnings)
