"""CLI of the collect stage: `xltasks collect` (returned workbooks → merged.xlsx + reports) and `xltasks remind`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import (Command, date_option, directory_option, guard_outputs, output_option, period_argument,
                      period_option, register_option)


@click.command("collect", cls=Command)
@click.argument("dirs", nargs=-1, metavar="DIRS...", type=click.Path(path_type=Path))
@register_option(workspace="工作区的任务台账")
@period_option("本次收集的填报期次，如 2021Q3（须与下发模板的期次一致）。")
@output_option("汇总结果 merged.xlsx：通过校验的报送表合并而成的进度台账［工作区内：期次/merged.xlsx］。")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="问题报告 report.xlsx：问题清单、报送情况、催报名单、文件清单。")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="report.json：同样内容的机器可读版本（`xltasks remind` 的输入）。")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help="收文台账（SQLite），记录历次收到的每个文件［默认：输出文件旁的 ledger.sqlite］。")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="另写一份 CSV 格式的汇总结果（UTF-8 带 BOM，Excel 可直接打开）。")
@directory_option("下发模板时使用的单位名录（units.xlsx），如有。", exists=True, path_type=Path)
@click.option("--password", envvar="XLTASKS_PASSWORD", default=None,
              help="加密报送表的打开密码（也可用环境变量 XLTASKS_PASSWORD）；只在内存中解密，不写入磁盘。"
                   "不提供时加密文件列为问题并退回。")
@click.pass_context
def collect_cmd(ctx, dirs, register_path, period, output, report_path, json_path, ledger_path, csv_path,
                directory_path, password):
    """收集各单位报送的填报表：识别、校验、汇总、出报告。

    逐层查找 DIRS 中的文件（.xlsx .xlsm .xls .ods，以及直接读取 .zip 压缩包内的文件），按隐藏的识别信息
    认出每个文件属于哪个单位，逐项校验后汇总通过的文件。所有报送表都通过校验时退出码为 0（未报送的单位
    只列入报告），发现“错误”级问题时为 1。

    \b
    示例：
      xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx \\
          --report report.xlsx --json report.json
      xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx \\
          --password 口令

    报送的文件一律按不可信处理：压缩炸弹、加密文件（未给 --password 时）、含 XML DOCTYPE/实体声明的文件
    以及不是工作簿的文件只列为问题并退回，不会解析；同一文件夹中的正常文件照常汇总。

    在工作区内只需给出期次：收集期次文件夹 returns 中的文件，结果写入期次文件夹，收文记入工作区数据库，
    截止日期后收到的报送表照常采用、记为逾期报送：
      xltasks collect 2021Q3
    """
    from .in_workspace import current_workspace, period_from_argument, required_outside

    ws = current_workspace(ctx)
    period, was_period = period_from_argument(ws, dirs[0] if dirs else None, period)
    if was_period:
        dirs = dirs[1:]
    from .in_workspace import check_path

    for d in dirs:  # click's own exists check, made here since a period name may stand where a folder did
        check_path(ctx, "dirs", d, click.Path(exists=True, path_type=Path))
    if ws is None:
        required_outside(ctx, "dirs", "register_path", "period", "output")
    else:
        from .in_workspace import need_period

        period = need_period(ws, period)
        if ledger_path:
            raise click.UsageError("工作区内收文记入工作区数据库，不使用 --ledger")
    from ..collecting.merge import collect
    from ..core.fileio import check_writable, output_group
    from ..core.progress_io import write_progress
    from ..core.register_io import load_register
    from ..collecting.report import summary_lines, write_json, write_xlsx

    if csv_path and csv_path.suffix.lower() != ".csv":
        csv_path = csv_path.with_suffix(".csv")
    if ws is not None:
        _collect_in_workspace(ws, dirs, register_path, period, output, report_path, json_path, csv_path,
                              directory_path, password)
        return
    outputs = [p for p in (output, report_path, json_path, csv_path) if p]
    ledger_path = ledger_path or output.parent / "ledger.sqlite"
    guard_outputs([*outputs, ledger_path], [register_path, directory_path])
    register = load_register(register_path)  # a missing register is said before any output folder is made
    check_writable([*outputs, ledger_path])  # a read-only destination is said before the run, not after it
    directory = None
    if directory_path:
        from ..core.directory import load_directory

        directory = load_directory(directory_path)
    exclude = [*outputs, ledger_path, register_path] + ([directory_path] if directory_path else [])

    with _ProgressBar() as bar:
        result = collect(dirs, register, period, directory=directory, exclude=exclude, ledger=ledger_path,
                         progress=bar.update, password=password,
                         debug=click.get_current_context().meta.get("xltasks.verbose", False))

    with output_group():  # all of them or none (a full disk half-way leaves the previous outputs)
        write_progress(result.progress, output)
        if csv_path:
            write_progress(result.progress, csv_path)
        if report_path:
            write_xlsx(result, report_path)
        if json_path:
            write_json(result, json_path)
    _finish(result, dirs, directory, {"合并结果": str(output), "问题报告": str(report_path or ""),
                                      "JSON 报告": str(json_path or ""), "CSV": str(csv_path or ""),
                                      "台账记录": str(ledger_path)})


class _ProgressBar:
    """collect's progress(done, total) as a bar on a terminal, made on the first file (when the total is known)."""

    def __init__(self):
        self.bar = None
        self.first = True

    def update(self, done: int, total: int) -> None:
        if self.first:
            self.first = False
            if sys.stderr.isatty() and total > 1:  # a bar written to a log file is noise
                self.bar = click.progressbar(length=total, label="收集", file=sys.stderr)
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(1)

    def __enter__(self) -> "_ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _finish(result, dirs, directory, outputs: dict[str, str]) -> None:
    from ..collecting.report import summary_lines

    for line in summary_lines(result, outputs):
        click.echo(line)
    for line in rejected_lines(result, dirs):
        click.echo(line)
    mismatched = sum(any(p.code == "register-mismatch" for p in f.problems) for f in result.files)
    if mismatched:
        click.echo(f"注意：{mismatched} 个报送文件的模板不是按本次 --register 给出的任务台账下发的。"
                   "请改用下发模板时所用的台账重新收集；这不是报送单位的错误。")
    if directory is None and any(p.code == "extra-task" for p in result.problems):
        # templates issued with a units directory carry tasks of collectives (各区县政府 → each district)
        click.echo("提示：如模板是按单位名录（--directory）下发的，收集时也请加同一个 --directory，"
                   "否则集合任务会被当作“多出任务”。")
    if not result.valid:
        raise click.exceptions.Exit(1)


def _collect_in_workspace(ws, dirs, register_path, period, output, report_path, json_path, csv_path,
                          directory_path, password) -> None:
    from ..core.directory import load_directory

    report_default, json_default = ws.report_paths(period)
    output = output or ws.merged_path(period)
    outputs = [output, report_path or report_default, json_path or json_default, csv_path]
    guard_outputs([*outputs, ws.db_path], [register_path or ws.register_path, directory_path])
    directory = load_directory(directory_path) if directory_path else None
    with _ProgressBar() as bar:
        result = ws.collect(period, dirs=list(dirs) or None, output=output, report=report_path, json_path=json_path,
                            csv_path=csv_path, register_path=register_path, directory=directory, password=password,
                            progress=bar.update)
    _finish(result, result.folders, directory if directory is not None else ws.load_directory(),
            {"合并结果": str(output), "问题报告": str(outputs[1]), "JSON 报告": str(outputs[2]),
             "CSV": str(csv_path or ""), "收文记录": str(ws.db_path)})


REJECTED_SHOWN = 20  # at most this many 退回 lines on the console; the report lists all


def rejected_lines(result, dirs, limit: int = REJECTED_SHOWN) -> list[str]:
    """One line per rejected file: where it is (relative to the folder given) and its first error, with the
    sheet and cell, so the console alone tells what to fix."""
    from ..core.models import LEVEL_ERROR
    from ..collecting.report import shown_path
    from ..core.statuses import FileStatus

    rejected = [f for f in result.files if f.status == FileStatus.REJECTED]
    out = []
    for f in rejected[:limit]:
        errors = [p for p in f.problems if p.level == LEVEL_ERROR]
        if not errors:
            continue
        first = errors[0]
        where = f"{first.sheet}!{first.cell} " if first.sheet and first.cell else ""
        more = f"（等 {len(errors)} 处）" if len(errors) > 1 else ""
        out.append(f"退回：{shown_path(f.path, dirs)}：{where}{first.message}{more}")
    if len(rejected) > limit:
        out.append(f"…（另有 {len(rejected) - limit} 个退回文件，详见 --report）")
    return out


@click.command("remind", cls=Command)
@period_argument(required=False)
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="`xltasks collect --json` 写出的 report.json。")
@output_option("通知的输出文件夹（每个单位一份 .txt）［工作区内：期次/notices］。", name="out_dir", folder=True)
@date_option("--deadline", "deadline", "通知中写明的新截止日期，格式 YYYY-MM-DD，如 2021-10-15。")
@date_option("--as-of", "as_of", "催报通知中“截至”的日期，格式 YYYY-MM-DD［默认：今天］。")
@click.option("--contact", default=None, help="督查室联系方式（联系人、电话）。")
@click.pass_context
def remind_cmd(ctx, period, report_path, out_dir, deadline, as_of, contact):
    """为每个未报送的单位写一份催报通知，为每个被退回的单位写一份退回修改通知。

    \b
    示例：
      xltasks remind --report report.json -o notices/ --deadline 2021-10-15

    在工作区内只需给出期次（读取本期 collect 的报告，通知写入期次文件夹的 notices，联系方式取自设置）：
      xltasks remind 2021Q3 --deadline 2021-10-15
    """
    from ..collecting.report import load_report, write_reminders
    from .in_workspace import current_workspace, need_period, required_outside

    ws = current_workspace(ctx)
    if ws is None:
        if period:
            raise click.UsageError(f"Got unexpected extra argument ({period})", ctx=ctx)  # click's words, as before
        required_outside(ctx, "report_path", "out_dir")
    else:
        period = need_period(ws, period)
        report_path = report_path or ws.report_paths(period)[1]
        out_dir = out_dir or ws.notices_dir(period)
        contact = ws.config.contact if contact is None else contact
        if not report_path.is_file():
            raise click.UsageError(f"{period} 还没有收集报告：请先 xltasks collect {period}")

    guard_outputs([out_dir], [report_path])
    report = load_report(report_path)
    written = write_reminders(report, out_dir, deadline=deadline.isoformat() if deadline else "", contact=contact or "",
                              as_of=as_of.isoformat() if as_of else "")
    n_missing = len(report.get("missing_units", []))
    n_rejected = len(report.get("rejected_units", []))
    click.echo(f"催报通知：{n_missing} 份，退回修改通知：{n_rejected} 份")
    click.echo(f"输出目录：{out_dir}")
    if not written:
        click.echo("没有需要催报或退回的单位")


COMMANDS = [collect_cmd, remind_cmd]
