"""`xltasks import`: decomposition documents → task register (OUT.xlsx + OUT.json)."""
from __future__ import annotations

import click

from ..importers import LAYOUTS as _LAYOUTS  # light: the readers that need pandas/docx/pypdf load lazily
from .options import Command, guard_outputs, output_option


@click.command("import", cls=Command)
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@output_option("输出的任务台账：同时写出 OUTPUT.xlsx 和 OUTPUT.json 两个文件［工作区内：工作区的任务台账］。",
               name="out", path_type=None)
@click.option("--explain", is_flag=True,
              help="不导入，只报告对每个文件试过的版式、各读出多少项任务，以及无法识别的前几行。")
@click.option("--layout", type=click.Choice(_LAYOUTS), default="auto", show_default=True,
              help="来源文件的版式；默认自动识别。")
@click.pass_context
def import_command(ctx: click.Context, sources: tuple[str, ...], out: str | None, layout: str, explain: bool) -> None:
    """导入重点工作责任分解文件，生成任务台账。

    SOURCES 可以是文本文件（.txt，UTF-8 或 GB18030 编码，网页表格、编号段落、竖线表格等版式）、
    带表头的表格（.xlsx/.xls/.csv）、Word 文档（.docx，正文或表格）或带文字层的 PDF（.pdf）。
    Word 97-2003 的 .doc 请先用 Word/WPS 另存为 .docx。给出多个文件时合并为一个任务台账。

    \b
    示例：
      xltasks import workbooks/example/source/hangzhou_2021_decomposition.txt -o register.xlsx
      xltasks import 责任分解.docx -o register.xlsx
      xltasks import --explain 读不出的文件.pdf

    在工作区内不必写 -o：原件复制到工作区的 source 文件夹，任务台账写到工作区设置的位置：
      xltasks import 分解通知.docx
    """
    from ..importers import explain_path, import_paths

    if explain:
        for k, source in enumerate(sources):
            click.echo(("\n" if k else "") + explain_path(source))
        return
    from ..core.register_io import output_paths, write_register
    from .in_workspace import current_workspace

    ws = current_workspace(ctx)
    if not out and ws is None:
        raise click.UsageError("需要 -o/--output 指定输出的任务台账(或用 --explain 只查看识别情况)")
    if ws is not None and out is None:
        guard_outputs(output_paths(ws.register_path), sources)
        register, xlsx_path, json_path = ws.import_sources(sources, layout=layout)
    else:
        guard_outputs(output_paths(out), sources)
        register = import_paths(list(sources), layout=layout)
        xlsx_path, json_path = write_register(register, out)
    sections = sum(s.sections for s in register.sources)
    groups = sum(s.groups for s in register.sources)
    click.echo(f"已导入 {len(sources)} 个文件(版式: {register.layout})")
    click.echo(f"任务 {len(register.tasks)} 项, 部分 {sections} 个, 领导分组 {groups} 个, "
               f"责任单位 {len(register.units)} 个, 提示 {len(register.warnings)} 条")
    click.echo(f"任务台账: {xlsx_path}")
    click.echo(f"JSON: {json_path}")
    if register.warnings:
        click.echo("提示详见任务台账的“来源”工作表。")


COMMANDS = [import_command]
