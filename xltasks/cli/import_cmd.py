"""`xltasks import`: decomposition documents → task register (OUT.xlsx + OUT.json)."""
from __future__ import annotations

import click

_LAYOUTS = ("auto", "web-table", "numbered", "pipe-table", "table")


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output register: writes OUT.xlsx and OUT.json side by side.")
@click.option("--layout", type=click.Choice(_LAYOUTS), default="auto", show_default=True,
              help="Layout of the sources; auto-detected by default.")
def import_command(sources: tuple[str, ...], out: str, layout: str) -> None:
    """Import decomposition documents (重点工作责任分解) into a task register (任务台账).

    SOURCE may be text (UTF-8 or GB18030: web-table, numbered, pipe-table layouts) or a table
    (.xlsx/.xls/.csv with a header row). Several sources merge into one register.

    \b
    Example:
      xltasks import workbooks/example/source/hangzhou_2021_decomposition.txt -o register.xlsx
    """
    from ..importers import import_paths
    from ..register_io import write_register

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
