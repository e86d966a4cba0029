"""`xltasks templates`: per-unit fill-in workbooks, notices and the distribution list."""
from __future__ import annotations

import re
from pathlib import Path

import click

from .options import (Command, date_option, directory_option, guard_outputs, missing_register, output_option,
                      period_option, register_from, register_option)


def _split_units(values: tuple[str, ...]) -> list[str]:
    # A collective's own name holds "、", so several units are separated by commas or given one per option.
    return [u.strip() for v in values for u in re.split(r"[,，;；]", v) if u.strip()]


def _guard_templates_outputs(out_dir: Path, period: str, inputs: list[str | None]) -> None:
    """The files templates writes (分发清单.xlsx, PERIOD_单位.xlsx, PERIOD_单位_下发通知.txt) must not replace an input."""
    from ..core.fileio import safe_filename
    from ..issuing.templates import DISTRIBUTION_LIST

    paths = [Path(p) for p in inputs if p]
    guard_outputs([out_dir / DISTRIBUTION_LIST], paths)
    prefix = safe_filename(f"{period.strip()}_x")[:-1].lower()
    for p in paths:
        if p.resolve().parent == out_dir.resolve() and p.name.lower().startswith(prefix) \
                and p.suffix.lower() in (".xlsx", ".txt"):
            raise click.UsageError(f"输入文件 {p} 位于输出文件夹中，可能被本期生成的文件覆盖：请换一个输出文件夹")


@click.command("templates", cls=Command)
@click.argument("register", required=False, metavar="REGISTER")
@register_option(workspace="工作区的任务台账")
@output_option("输出文件夹：存放各单位填报表、下发通知和分发清单.xlsx（不存在时自动创建）［工作区内：期次/templates］。",
               name="out_dir", folder=True, path_type=None)
@period_option("填报期次，如 2021Q3、2021H1、2021M09 或 2021-09（写入文件名和表内识别信息）。")
@date_option("--deadline", "deadline", "报送截止日期，格式 YYYY-MM-DD，如 2021-10-10［工作区内：取自 xltasks.toml］。")
@directory_option()
@click.option("--units", "units", multiple=True,
              help="只为这些单位生成（可重复使用本选项，或用逗号分隔）。")
@click.option("--previous", "previous_path", type=click.Path(dir_okay=False),
              help="上期汇总结果（merged.xlsx）：预填细化项目、指标和目标值。")
@click.option("--rows-per-task", type=click.IntRange(1, 200), default=None,
              help="每项任务预留的填报行数（默认按模板版式）。")
@click.option("--contact", default=None, help="联系方式（如“督查室 张三 0571-12345678”），印在填报说明和通知中。")
@click.pass_context
def templates_command(ctx, register, register_path, out_dir, period, deadline, directory_path, units, previous_path,
                      rows_per_task, contact):
    """为每个责任单位生成一份填报表（只含该单位的任务），并生成下发通知和分发清单.xlsx。

    \b
    示例：
      xltasks templates --register register.xlsx -o templates/ --period 2021Q3 --deadline 2021-10-10
      xltasks templates --register register.xlsx -o templates/ --period 2021Q4 \\
          --directory units.xlsx --previous merged_2021Q3.xlsx --units 市建委,市商务局

    在工作区内只需给出期次：模板写入期次文件夹，截止日期取自 xltasks.toml，按各单位往期最近一次采用的
    报送预填，已销号的任务不再下发：
      xltasks templates 2021Q3
    """
    from .in_workspace import check_path, current_workspace, period_from_argument, required_outside

    ws = current_workspace(ctx)
    period, was_period = period_from_argument(ws, register, period)
    if not was_period:
        check_path(ctx, "register", register, click.Path(dir_okay=False))
    register = register_from(None if was_period else register, register_path)
    if ws is None:
        if register is None:
            raise missing_register(ctx)
        required_outside(ctx, "out_dir", "period")
    else:
        _templates_in_workspace(ws, register, out_dir, period, deadline, directory_path, units, previous_path,
                                rows_per_task, contact)
        return
    from ..core import layout
    from ..core.directory import load_directory
    from ..core.fileio import sha256_file
    from ..core.progress_io import read_progress
    from ..core.register_io import load_register
    from ..issuing.templates import make_templates

    _guard_templates_outputs(Path(out_dir), period, [register, directory_path, previous_path])
    reg = load_register(register)
    directory = load_directory(directory_path) if directory_path else None
    previous = read_progress(previous_path) if previous_path else None
    run = make_templates(reg, out_dir, period, deadline=deadline, directory=directory,
                         units=_split_units(units) or None, previous=previous,
                         rows_per_task=rows_per_task or layout.DEFAULT_ROWS_PER_TASK,
                         register_sha256=sha256_file(register), contact=contact or "", register_file=str(register))
    _report(run, out_dir)


def _report(run, out_dir) -> None:
    n_tasks = sum(len(i.task_ids) for i in run.issued)
    click.echo(f"已生成 {len(run.issued)} 个单位的填报模板（共 {n_tasks} 个任务分配）: {out_dir}")
    click.echo(f"分发清单: {run.distribution_list}")
    for w in run.warnings:
        click.echo(f"提示: {w}")


def _templates_in_workspace(ws, register, out_dir, period, deadline, directory_path, units, previous_path,
                            rows_per_task, contact) -> None:
    from ..core.directory import load_directory
    from ..core.progress_io import read_progress
    from .in_workspace import need_period

    period = need_period(ws, period)
    out = Path(out_dir) if out_dir else ws.templates_dir(period)
    _guard_templates_outputs(out, period, [register or ws.register_path, directory_path, previous_path])
    result = ws.issue(period, out_dir=out, units=_split_units(units) or None, register_path=register,
                      previous=read_progress(previous_path) if previous_path else None, deadline=deadline,
                      rows_per_task=rows_per_task, contact=contact,
                      directory=load_directory(directory_path) if directory_path else None)
    _report(result.run, out)
    if result.prefilled_units:
        click.echo(f"按往期报送预填：{len(result.prefilled_units)} 个单位")
    if result.closed_left_out:
        click.echo(f"已销号、不再下发的任务：{'、'.join(result.closed_left_out)}")


COMMANDS = [templates_command]
