"""`xltasks import-compilation`: a 完成情况汇编 in seed 002's layout → the progress register (previous.xlsx)."""
from __future__ import annotations

from pathlib import Path

import click

from .options import Command, guard_outputs, output_option, period_option, register_option


@click.command("import-compilation", cls=Command)
@click.argument("file", type=click.Path(dir_okay=False))
@register_option("任务台账（`xltasks import` 写出的 register.xlsx 或 register.json，或责任分解文件本身），"
                 "汇编中的任务按它匹配任务编号")
@output_option("输出的进度台账（.xlsx 或 .csv），格式与 `xltasks collect` 的汇总结果相同。", name="out", required=True,
               path_type=None)
@period_option("写入输出文件的填报期次，如 2021Q3。")
def import_compilation_command(file: str, out: str, register_path: Path | None, period: str | None) -> None:
    """读入一份完成情况汇编，转为进度台账（供下期模板预填）。

    汇编中的细化项目、指标、目标值、当前值、亮点和问题转为进度台账，
    可作为下期 `xltasks templates --previous` 的预填来源。

    FILE 是汇编的文本（12 列、以制表符分隔，合并单元格已拆开）或同样版式、带合并单元格的 .xlsx。
    汇编中的任务按部分、序号和文字相似度与任务台账匹配；未能匹配的任务逐一列出。

    \b
    示例：
      xltasks import-compilation workbooks/example/source/hangzhou_2021_q3_compilation.txt \\
          --register register.xlsx -o previous.xlsx --period 2021Q3
    """
    from ..compiling.matching import match_to_register
    from ..compiling.reader import read_compilation
    from ..compiling.reproduce import reproduce
    from ..compiling.to_progress import to_progress
    from ..core.progress_io import write_progress
    from ..importers import register_or_import

    guard_outputs([out], [file, register_path])
    register = register_or_import(str(register_path)) if register_path else None  # a missing one before the long read
    doc = read_compilation(file)
    match = match_to_register(doc, register)
    progress = to_progress(doc, match, period=period or "", register=register)
    write_progress(progress, out)
    n_ind = sum(len(i.indicators) for t in doc.tasks for i in t.items)
    n_items = sum(len(t.items) for t in doc.tasks)
    click.echo(f"已读取汇编: 任务 {len(doc.tasks)} 项（完整读取 {sum(t.complete for t in doc.tasks)} 项）, "
               f"细化项目 {n_items} 个, 量化指标 {n_ind} 个")
    if register is not None:
        click.echo(f"与任务台账匹配: {len(match.task_ids)} 项; 未能匹配 {len(match.unmatched)} 项; "
                   f"台账中汇编未列 {len(match.missing)} 项")
        for i in match.unmatched:
            t = doc.tasks[i]
            click.echo(f"  未匹配: 第{t.line}行 {t.section_no}.{t.no} {t.text[:40]}")
    for t in doc.tasks:
        for issue in t.issues:
            click.echo(f"  未完整读取: {t.section_no}.{t.no} {issue}")
    rep = reproduce(doc, match)
    click.echo(f"完成率复核: {rep.agreeing}/{len(rep.compared)} 项任务与汇编所印完成率相差不超过 1 个百分点")
    click.echo(f"进度台账: {out} ({len(progress.rows)} 行)")


COMMANDS = [import_compilation_command]
