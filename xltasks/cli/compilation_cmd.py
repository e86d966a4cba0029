"""`xltasks import-compilation`: a 完成情况汇编 in seed 002's layout → the progress register (previous.xlsx)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("import-compilation")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output progress register (.xlsx, or .csv), the shape `collect` produces.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False),
              help="Task register (.xlsx/.json from `xltasks import`, or the decomposition document itself) "
                   "whose task ids the compilation's tasks are matched to.")
@click.option("--period", default="", help="Period label stored in the output, e.g. 2021Q3.")
def import_compilation_command(file: str, out: str, register_path: str | None, period: str) -> None:
    """Read a compilation (完成情况汇编) back in: its 细化项目, indicators, targets, current values,
    亮点 and 问题 become a progress register, usable as `--previous` for the next period's templates.

    FILE is the text of a compilation (002's 12 tab-separated columns, merged cells lost) or an .xlsx
    in the same layout with merged cells. Tasks are matched to the register by section, number and
    text similarity; every task that could not be placed is listed.

    \b
    Example:
      xltasks import-compilation workbooks/example/source/hangzhou_2021_q3_compilation.txt \\
          --register register.xlsx -o previous.xlsx --period 2021Q3
    """
    from ..compilation import match_to_register, read_compilation, reproduce, to_progress
    from ..progress_io import write_progress

    doc = read_compilation(file)
    register = _load_register(register_path) if register_path else None
    match = match_to_register(doc, register)
    progress = to_progress(doc, match, period=period, register=register)
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


def _load_register(path: str):
    from ..errors import XltasksError

    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".json"):
        from ..register_io import load_register

        return load_register(path)
    if not Path(path).is_file():
        raise XltasksError("找不到任务台账文件", file=path)
    from ..importers import import_paths

    return import_paths([path])


COMMANDS = [import_compilation_command]
