"""`xltasks directory`: a starting units directory (单位名录) written from the task register."""
from __future__ import annotations

import click

from .options import Command, guard_outputs, missing_register, output_option, register_from, register_option


@click.command("directory", cls=Command)
@click.argument("register", required=False, metavar="REGISTER", type=click.Path(dir_okay=False))
@register_option(workspace="工作区的任务台账")
@output_option("要写出的单位名录（.xlsx）。", name="out", required=True, path_type=None)
@click.pass_context
def directory_command(ctx, register, register_path, out):
    """根据任务台账写出一份初始的单位名录，供核对别名、集合成员并补充联系人。

    带括号别称的单位名（如“市建委（市住建局）”）与不带括号的名称同时出现时记为别名；
    各区、县（市）政府（管委会）等集合的成员单位按台账中出现的区县推测。

    \b
    示例：
      xltasks directory --register register.xlsx -o units.xlsx
    """
    from ..core.directory import write_starting_directory
    from ..core.register_io import load_register

    from .in_workspace import current_workspace

    register = register_from(register, register_path)
    if register is None:
        ws = current_workspace(ctx)
        if ws is None:
            raise missing_register(ctx)
        register = ws.register_path
    if not out.lower().endswith(".xlsx"):
        raise click.BadParameter("单位名录应保存为 .xlsx 文件", param_hint="-o/--output")
    guard_outputs([out], [register])
    directory = write_starting_directory(load_register(register), out)
    n_alias = sum(len(e.aliases) for e in directory.entries)
    n_coll = len({c for e in directory.entries for c in e.collectives})
    click.echo(f"已写出单位名录: {out}（单位 {len(directory.entries)} 个，别名 {n_alias} 个，集合 {n_coll} 个）")
    click.echo("请核对别名与集合成员，补充联系人后用 --directory 传给 xltasks templates。")


COMMANDS = [directory_command]
