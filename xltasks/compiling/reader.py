"""Read a 完成情况汇编 in seed 002's layout back in: `read_compilation(path) -> CompilationDoc`.

Then matching.py matches it to a register, to_progress.py turns it into Progress and reproduce.py checks
002's task rates against our arithmetic; printed.py, raw_rows.py and parser.py do the reading.

The layout (12 columns): 序号 · 重点工作 任务说明/完成率 · 细化项目 任务说明/完成率 · 量化指标 指标名称/
数值及单位/当前值/完成率 · 责任单位 · 主要亮点 · 存在问题与下步计划. In the text form (002) the merged cells
are lost: a continuation row has fewer leading empty cells than its place in the table, page breaks repeat
the header (sometimes in the middle of a task), and the merged 细化项目 cells are emitted one per row
regardless of which indicator rows they spanned. So a row is read by the *kind* of its cells, not by
their position:

* right to left, the last four non-empty cells "name, value, value, percentage" are an indicator;
* what is left is the 细化项目 (a text and/or a percentage, in either order), preceded on a task's
  first row by 序号 / 任务说明 / 完成率, or by a task-text continuation after a page break;
* text in columns J–L is the 责任单位 (first row) or a continuation of 亮点 / 问题.

Which 细化项目 an indicator belongs to is then settled per task by the printed rates: the indicators
(in printed order) are split into consecutive groups, one per 细化项目, so that each group's mean of
capped rates is closest to the 细化项目's printed rate (002's hand rounding tolerated), ties broken by
the row position. The same reader takes the .xlsx form (merged cells: the value is in the top-left
cell; numbers with their unit in the number format) by rendering each cell as the text 002 shows.
"""
from __future__ import annotations

from pathlib import Path

from ..core.errors import InputError
from ..core.fileio import sha256_file
from .parser import Parser
from .printed import CompilationDoc
from .raw_rows import text_rows, xlsx_rows


def read_compilation(path: str | Path) -> CompilationDoc:
    """Read a compilation in 002's layout: the text form (tab-separated) or an .xlsx with merged cells."""
    path = Path(path)
    if not path.exists():
        raise InputError("文件不存在", file=str(path))
    positional = path.suffix.lower() in (".xlsx", ".xlsm")
    rows = xlsx_rows(path) if positional else text_rows(path)
    parser = Parser(path.name, positional=positional)
    for row in rows:
        parser.feed(row)
    parser.finish()
    if not parser.tasks:
        raise InputError("没有读到任何任务：不是 002 版式的完成情况汇编", file=str(path))
    return CompilationDoc(path=str(path), sha256=sha256_file(path), sections=parser.doc_sections,
                          groups=parser.doc_groups, tasks=parser.tasks, warnings=parser.warnings)
