"""The workspace's own commands: `xltasks init`, `status`, `receive`, `close-task`, `bulletin` (the 督查通报)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .in_workspace import current_workspace
from .options import DATETIME, Command, date_option, output_option, period_argument


def _workspace(ctx: click.Context):
    ws = current_workspace(ctx)
    if ws is None:
        raise click.UsageError("当前文件夹不在 xltasks 工作区内（向上也没有找到 xltasks.toml）："
                               "请先 cd 到工作区，或用 xltasks init 创建")
    return ws


@click.command("init", cls=Command)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", required=True, help="督查工作的标题，如“2021年政府工作报告重点工作督查”（印在通报上）。")
@click.option("--year", required=True, type=click.IntRange(1901, 2999), help="年度，如 2021。")
@click.option("--cadence", type=click.Choice(["quarter", "month", "half"]), default="quarter", show_default=True,
              help="报送周期：quarter 按季度，month 按月，half 按半年（决定期次、截至日期和默认截止日期）。")
@click.option("--office", default="", help="督查机构名称，如“市政府督查室”（通报落款）。")
@click.option("--contact", default="", help="联系人与电话（印在填报说明、通知和通报中）。")
@click.option("--rules", default="default", show_default=True, help="着色规则：default、ouhai、yichang、suqian。")
def init_cmd(folder, title, year, cadence, office, contact, rules):
    """创建督查工作区：设置文件 xltasks.toml、状态数据库和按期次分的文件夹。

    \b
    示例：
      xltasks init 2021督查 --title "2021年政府工作报告重点工作督查" --year 2021
      xltasks init 2021督查 --title "…" --year 2021 --cadence month --office 市政府督查室
    之后在工作区内，各命令无需再写路径：
      cd 2021督查
      xltasks import 分解通知.docx
      xltasks templates 2021Q3
    """
    from ..workspace import Workspace

    ws = Workspace.init(folder, title=title, year=year, cadence=cadence, office=office, contact=contact, rules=rules)
    click.echo(f"已创建工作区：{ws.root}")
    click.echo(f"期次：{'、'.join(f'{p.name}（截止 {p.deadline}）' for p in ws.config.periods)}")
    click.echo(f"设置文件：{ws.root / 'xltasks.toml'}（可修改期次的截至日期和截止日期）")
    click.echo(f"下一步：cd {folder} 后导入责任分解，如 xltasks import 分解通知.docx")
    ws.close()


@click.command("status", cls=Command)
@period_argument(required=False)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（供其他程序读取）。")
@click.pass_context
def status_cmd(ctx, period, as_json):
    """工作区的进度：每个期次的模板下发、报回、逾期、汇编、通报情况和下一步。

    \b
    示例：
      xltasks status
      xltasks status 2021Q3 --json
    """
    from ..workspace.status import status_lines

    ws = _workspace(ctx)
    statuses = ws.status(period)
    if as_json:
        click.echo(json.dumps({"workspace": str(ws.root), "title": ws.config.title, "year": ws.config.year,
                               "periods": [s.to_json() for s in statuses]}, ensure_ascii=False, indent=1))
        return
    for line in status_lines(ws, statuses):
        click.echo(line)


@click.command("receive", cls=Command)
@period_argument()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--at", "received_at", type=DATETIME, default=None,
              help="收到的时间（如 2021-10-08 15:30）［默认：现在］；晚于本期截止日期的为逾期报送。")
@click.pass_context
def receive_cmd(ctx, period, files, received_at):
    """登记收到的报回文件：复制到本期的 returns 文件夹，并记下收到时间（用于判断逾期报送）。

    FILES 可以是文件或文件夹（取其中的 .xlsx .xlsm .xls .ods .zip）。同一内容重复登记时保留第一次的时间。

    \b
    示例：
      xltasks receive 2021Q3 市发改委-三季度报送.xlsx
      xltasks receive 2021Q3 邮件附件/ --at "2021-10-12 09:00"
    """
    from ..collecting.intake import ARCHIVE_EXTS, WORKBOOK_EXTS

    ws = _workspace(ctx)
    paths = []
    for f in files:
        paths.extend(sorted(p for p in f.rglob("*") if p.is_file() and p.suffix.lower() in WORKBOOK_EXTS + ARCHIVE_EXTS)
                     if f.is_dir() else [f])
    kept = [ws.record_file(period, p, received_at=received_at) for p in paths]
    p = ws.period(period)
    late = received_at is not None and received_at.date() > p.deadline
    click.echo(f"已登记 {len(kept)} 个文件：{ws.returns_dir(p.name)}"
               + (f"（晚于截止日期 {p.deadline}，将记为逾期报送）" if late else ""))


@click.command("close-task", cls=Command)
@period_argument()
@click.argument("task_ids", nargs=-1)
@click.option("--reason", default=None, help="销号原因，如“已全面完成”（给出任务编号时必填）。")
@click.option("--from", "sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="从督查室编辑的表格销号：第一个工作表中“任务编号”列与“销号原因”（或“销号”）列，填了原因的任务销号。")
@click.pass_context
def close_task_cmd(ctx, period, task_ids, reason, sheet):
    """销号：任务不再下发到以后各期的模板，汇编中标为“已销号”并在汇总中另计。

    \b
    示例：
      xltasks close-task 2021Q3 4.28 4.128 --reason 已全面完成
      xltasks close-task 2021Q3 --from 销号.xlsx
    """
    from ..workspace.closures import closures_from_sheet

    ws = _workspace(ctx)
    if bool(task_ids) == bool(sheet):
        raise click.UsageError("请给出要销号的任务编号（加 --reason），或用 --from 指定销号表，二者选一")
    if task_ids:
        if not (reason or "").strip():
            raise click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "reason"))
        closed = ws.close_task(period, task_ids, reason=reason)
    else:
        already = ws.closures()  # the sheet can be kept all year: tasks closed before are left out
        reasons = {tid: why for tid, why in closures_from_sheet(sheet) if tid not in already}
        closed = ws.close_task(period, list(reasons), reason=reasons) if reasons else []
    click.echo(f"已销号 {len(closed)} 项任务（{ws.period(period).name}）：{'、'.join(c.task_id for c in closed) or '无'}")


@click.command("bulletin", cls=Command)
@period_argument()
@output_option("通报文件（.docx）［默认：期次文件夹中的 督查通报.docx］。")
@date_option("--date", "date", "落款日期，格式 YYYY-MM-DD［默认：今天］。")
@click.option("--pdf", is_flag=True, help="同时导出 PDF（需要安装 LibreOffice Writer）。")
@click.pass_context
def bulletin_cmd(ctx, period, output, date, pdf):
    """写出本期的督查通报（Word 文档）：数字取自本期汇编，文字取自工作区的通报模板（可用 Word/WPS 修改）。

    \b
    示例：
      xltasks bulletin 2021Q3
      xltasks bulletin 2021Q3 -o 三季度督查通报.docx --date 2021-10-20 --pdf
    """
    ws = _workspace(ctx)
    if output is not None and output.suffix.lower() != ".docx":
        raise click.BadParameter("通报文件应为 .docx", param_hint="-o/--output")
    result = ws.write_bulletin(period, output, date=date)
    c = result.context
    counts = "，".join(f"{k} {v}" for k, v in c["c"].items() if v)
    closed = f"，另已销号 {c['n_closed']} 项" if c["n_closed"] else ""
    click.echo(f"督查通报：{result.path}（{c['n_tasks']} 项任务：{counts}{closed}；滞后任务 {len(c['lagging'])} 项，"
               f"未报送单位 {len(c['missing_units'])} 个，逾期报送 {len(c['late_units'])} 个）")
    if pdf:
        from .compile_cmd import export_pdf

        export_pdf(result.path, "安装 libreoffice-writer 后可加 --pdf 导出。")


COMMANDS = [init_cmd, status_cmd, receive_cmd, close_task_cmd, bulletin_cmd]
