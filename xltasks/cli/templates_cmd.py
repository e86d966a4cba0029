"""`xltasks templates` (per-unit fill-in workbooks) and `xltasks directory` (a starting 单位名录)."""
from __future__ import annotations

import datetime as dt
import re

import click


def _parse_deadline(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD，例如 2021-10-10（收到 {value!r}）") from None


def _split_units(values: tuple[str, ...]) -> list[str]:
    # A collective's own name holds "、", so several units are separated by commas or given one per option.
    return [u.strip() for v in values for u in re.split(r"[,，;；]", v) if u.strip()]


@click.command("templates")
@click.argument("register", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the workbooks, notices and 分发清单.xlsx (created if missing).")
@click.option("--period", required=True, help="Reporting period, e.g. 2021Q3 (goes into file names and _meta).")
@click.option("--deadline", callback=_parse_deadline, help="Return deadline, YYYY-MM-DD.")
@click.option("--directory", "directory_path", type=click.Path(dir_okay=False),
              help="Units directory (units.xlsx): merges aliases, sends collectives to each member.")
@click.option("--units", "units", multiple=True,
              help="Only these units (repeat the option or separate with commas).")
@click.option("--previous", "previous_path", type=click.Path(dir_okay=False),
              help="Last period's merged progress (merged.xlsx): pre-fills items, indicators and targets.")
@click.option("--rows-per-task", type=click.IntRange(1, 200), default=None,
              help="Entry rows per task block (default from the layout).")
@click.option("--contact", default="", help="Whom units ask, printed in the instructions and notices.")
def templates_command(register, out_dir, period, deadline, directory_path, units, previous_path, rows_per_task,
                      contact):
    """Generate one fill-in workbook per responsible unit, with notices and 分发清单.xlsx.

    \b
    Example:
      xltasks templates register.xlsx -o templates/ --period 2021Q3 --deadline 2021-10-10
      xltasks templates register.xlsx -o templates/ --period 2021Q4 --directory units.xlsx \\
          --previous merged_2021Q3.xlsx --units 市建委,市商务局
    """
    from .. import layout
    from ..directory import load_directory
    from ..fileio import sha256_file
    from ..progress_io import read_progress
    from ..register_io import load_register
    from ..templates import make_templates

    reg = load_register(register)
    directory = load_directory(directory_path) if directory_path else None
    previous = read_progress(previous_path) if previous_path else None
    run = make_templates(reg, out_dir, period, deadline=deadline, directory=directory,
                         units=_split_units(units) or None, previous=previous,
                         rows_per_task=rows_per_task or layout.DEFAULT_ROWS_PER_TASK,
                         register_sha256=sha256_file(register), contact=contact)
    n_tasks = sum(len(i.task_ids) for i in run.issued)
    click.echo(f"已生成 {len(run.issued)} 个单位的填报模板（共 {n_tasks} 个任务分配）: {out_dir}")
    click.echo(f"分发清单: {run.distribution_list}")
    for w in run.warnings:
        click.echo(f"提示: {w}")


@click.command("directory")
@click.argument("register", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The units directory to write (.xlsx).")
def directory_command(register, out):
    """Write a starting units directory (单位名录) from a task register, to check and complete.

    Names printed with a bracketed second name become aliases of the bare name when both occur;
    districts are guessed as members of the collectives (各区、县(市)政府(管委会)…).

    \b
    Example:
      xltasks directory register.xlsx -o units.xlsx
    """
    from ..directory import write_starting_directory
    from ..register_io import load_register

    if not out.lower().endswith(".xlsx"):
        raise click.BadParameter("单位名录应保存为 .xlsx 文件", param_hint="-o/--out")
    directory = write_starting_directory(load_register(register), out)
    n_alias = sum(len(e.aliases) for e in directory.entries)
    n_coll = len({c for e in directory.entries for c in e.collectives})
    click.echo(f"已写出单位名录: {out}（单位 {len(directory.entries)} 个，别名 {n_alias} 个，集合 {n_coll} 个）")
    click.echo("请核对别名与集合成员，补充联系人后用 --directory 传给 xltasks templates。")


COMMANDS = [templates_command, directory_command]
