"""`xltasks compile`: the 完成情况汇编 from the merged progress register and the task register."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .options import Command, date_option, guard_outputs, output_option, register_option


@click.command("compile", cls=Command)
@click.argument("merged", required=False, metavar="MERGED", type=click.Path(path_type=Path))
@register_option(workspace="工作区的任务台账")
@output_option("要写出的完成情况汇编（.xlsx）［工作区内：期次/汇编.xlsx］。")
@date_option("--as-of", "as_of", "汇编的截止日期（序时进度算到这一天），格式 YYYY-MM-DD，如 2021-09-30"
                                 "［工作区内：取自 xltasks.toml］。")
@click.option("--rules", "rules", default=None,
              help="着色规则：TOML 文件，或内置规则名（default、ouhai、yichang、suqian）。")
@click.option("--title", default=None, help="印在表格上方的标题。")
@click.option("--pdf", is_flag=True, help="同时在汇编旁导出 PDF（需要安装 LibreOffice）。")
@click.option("--force", is_flag=True,
              help="截止日期早于报送期末、或任务台账与收集时所用的不同时，仍然编制（只提示不报错）。")
@click.pass_context
def compile_cmd(ctx: click.Context, merged: Path | None, register_path: Path | None, output: Path | None,
                as_of: dt.date | None, rules: str | None, title: str | None, pdf: bool, force: bool) -> None:
    """根据汇总结果和任务台账编制完成情况汇编：完成率为实时公式，按规则着色，另附“汇总”表。

    MERGED 是 `xltasks collect` 写出的汇总结果（merged.xlsx）。

    \b
    示例：
      xltasks compile merged.xlsx --register register.xlsx -o 汇编.xlsx --as-of 2021-09-30
      xltasks compile merged.xlsx --register register.xlsx -o 汇编.xlsx --as-of 2021-09-30 \\
          --rules suqian --pdf

    在工作区内只需给出期次：截至日期和着色规则取自 xltasks.toml，汇编另有上期完成率、变化、“趋势”表，
    已销号任务和逾期报送的单位均有标注：
      xltasks compile 2021Q3
    """
    from .in_workspace import check_path, current_workspace, need_period, period_from_argument, required_outside

    ws = current_workspace(ctx)
    period, _ = period_from_argument(ws, str(merged) if merged else None, None)
    if ws is None or (merged is not None and period is None):
        check_path(ctx, "merged", merged, click.Path(dir_okay=False, path_type=Path))
        required_outside(ctx, "merged", "register_path", "output", "as_of")
    else:
        period = need_period(ws, period)
        if as_of is not None:
            raise click.UsageError(f"工作区内截至日期取自 xltasks.toml（{period}：{ws.period(period).as_of}），"
                                   f"如需改动请修改该文件")
        output = output or ws.compilation_path(period)
        if output.suffix.lower() != ".xlsx":
            raise click.BadParameter("输出文件应为 .xlsx", param_hint="-o/--output")
        guard_outputs([output, output.with_suffix(".pdf") if pdf else None],
                      [ws.merged_path(period), register_path or ws.register_path])
        result = ws.compile(period, output=output, register_path=register_path, rules=rules, title=title)
        _report(result, output, pdf)
        return
    from ..compiling.writer import compile_workbook
    from ..core.progress_io import read_progress
    from ..core.register_io import load_register
    from ..compiling.rules import load_rules

    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("输出文件应为 .xlsx", param_hint="-o/--output")
    guard_outputs([output, output.with_suffix(".pdf") if pdf else None], [merged, register_path])
    rule_set = load_rules(rules)
    register = load_register(register_path)
    read_warnings: list[str] = []
    progress = read_progress(merged, warnings=read_warnings)
    for w in read_warnings:
        click.echo(f"警告: {w}", err=True)
    from ..compiling.inputs import check_compile_inputs

    for w in check_compile_inputs(progress, register, as_of, force=force, merged_file=str(merged),
                                  register_file=str(register_path)):
        click.echo(f"警告: {w}", err=True)
    result = compile_workbook(register, progress, output, as_of=as_of, rules=rule_set, title=title,
                              register_file=str(register_path), progress_file=str(merged))
    _report(result, output, pdf)


def _report(result, output: Path, pdf: bool) -> None:
    for w in result.warnings:
        click.echo(f"警告: {w}", err=True)
    counts = "，".join(f"{k} {v}" for k, v in result.counts.items())
    click.echo(f"汇编: {output}（{len(result.tasks)} 项任务：{counts}；序时进度 {result.expected:.2%}，"
               f"着色规则 {result.rules.name}）")
    if pdf:
        export_pdf(output, "安装 libreoffice-calc 后可加 --pdf 导出。")


def export_pdf(path: Path, install_hint: str) -> None:
    """`--pdf`: a PDF beside `path` through LibreOffice, or a note on stderr when it is not installed."""
    from ..core.libreoffice import convert, find_soffice

    if not find_soffice():
        click.echo(f"未找到 LibreOffice (soffice)，未导出 PDF；{install_hint}", err=True)
        return
    click.echo(f"PDF: {convert(path, path.parent, 'pdf')}")


COMMANDS = [compile_cmd]
