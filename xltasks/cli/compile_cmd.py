"""`xltasks compile`: the 完成情况汇编 from the merged progress register and the task register."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

@click.command("compile")
@click.argument("merged", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--register", "register_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Task register (任务台账): the .xlsx written by `xltasks import`, or its .json.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The 汇编 workbook to write (.xlsx).")
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date the compilation is made as of (序时进度 is counted to it), e.g. 2021-09-30.")
@click.option("--rules", "rules", default=None,
              help="Highlighting rule set: a TOML file, or a built-in name (default, ouhai, yichang, suqian).")
@click.option("--title", default=None, help="Title printed above the table.")
@click.option("--pdf", is_flag=True, help="Also export a PDF next to the workbook (needs LibreOffice).")
def compile_cmd(merged: Path, register_path: Path, output: Path, as_of: dt.datetime, rules: str | None,
                title: str | None, pdf: bool) -> None:
    """Compile the 完成情况汇编 (seed 002's layout) with live rate formulas, colours and a 汇总 sheet.

    \b
    Example:
      xltasks compile merged.xlsx --register register.xlsx -o 汇编.xlsx --as-of 2021-09-30
      xltasks compile merged.xlsx --register register.xlsx -o 汇编.xlsx --as-of 2021-09-30 --rules suqian --pdf
    """
    from ..compile import compile_workbook
    from ..progress_io import read_progress
    from ..register_io import load_register
    from ..rules import load_rules

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("输出文件应为 .xlsx", param_hint="-o/--output")
    rule_set = load_rules(rules)
    register = load_register(register_path)
    progress = read_progress(merged)
    result = compile_workbook(register, progress, output, as_of=as_of.date(), rules=rule_set, title=title)
    for w in result.warnings:
        click.echo(f"警告: {w}", err=True)
    counts = "，".join(f"{k} {v}" for k, v in result.counts.items())
    click.echo(f"汇编: {output}（{len(result.tasks)} 项任务：{counts}；序时进度 {result.expected:.2%}，"
               f"着色规则 {result.rules.name}）")
    if pdf:
        from ..libreoffice import convert, find_soffice

        if not find_soffice():
            click.echo("未找到 LibreOffice (soffice)，未导出 PDF；安装 libreoffice-calc 后可加 --pdf 导出。", err=True)
            return
        pdf_path = convert(output, output.parent, "pdf")
        click.echo(f"PDF: {pdf_path}")


COMMANDS = [compile_cmd]
