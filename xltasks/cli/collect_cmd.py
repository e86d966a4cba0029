"""CLI of the collect stage: `xltasks collect` (returned workbooks → merged.xlsx + reports) and `xltasks remind`."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("collect")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--register", "register_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="任务台账 (register.xlsx or register.json from `xltasks import`).")
@click.option("--period", required=True, help="The period being collected, e.g. 2021Q3 (must match the templates).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="merged.xlsx: the progress register of the accepted files.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="report.xlsx: 问题清单, 报送情况, 催报, 文件清单.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="report.json: the same for machines (input of `xltasks remind`).")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite ledger of every file ever seen [default: ledger.sqlite next to the output].")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the merged rows as CSV (UTF-8 with BOM).")
@click.option("--directory", "directory_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Units directory (units.xlsx) the templates were issued with, if any.")
@click.option("--password", envvar="XLTASKS_PASSWORD", default=None,
              help="Password of encrypted returns (also $XLTASKS_PASSWORD); decrypted in memory, never written. "
                   "Without it an encrypted file is reported and sent back.")
def collect_cmd(dirs, register_path, period, output, report_path, json_path, ledger_path, csv_path, directory_path,
                password):
    """Collect returned workbooks: identify, validate, merge, report.

    Walks DIRS recursively (.xlsx .xlsm .xls .ods, and .zip archives read in place), identifies each file
    by its hidden _meta sheet, checks it, and merges the accepted ones. Exit status 0 when every returned
    file is valid (missing units are only reported), 1 when any problem of level 错误 was found.

    \b
    Example:
      xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx \\
          --report report.xlsx --json report.json
      xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx --password 口令

    Every returned file is untrusted: zip bombs, encrypted files (without --password), files with XML
    DOCTYPE/entity declarations and anything that is not a workbook are reported and sent back, never
    parsed; the good files next to them are merged.
    """
    from ..merge import collect
    from ..progress_io import write_progress
    from ..register_io import load_register
    from ..report import summary_lines, write_json, write_xlsx

    if not period.strip():
        raise click.BadParameter("报送期不能为空", param_hint="--period")
    outputs = [p for p in (output, report_path, json_path, csv_path) if p]
    if len({p.resolve() for p in outputs}) != len(outputs):
        raise click.UsageError("输出文件路径重复")
    register = load_register(register_path)
    directory = None
    if directory_path:
        from ..directory import load_directory

        directory = load_directory(directory_path)
    ledger_path = ledger_path or output.parent / "ledger.sqlite"
    exclude = [*outputs, ledger_path, register_path] + ([directory_path] if directory_path else [])

    from ..intake import list_files

    n = len(list_files(dirs, exclude))
    bar = None
    if n and (sys.stderr.isatty() or n > 20):
        bar = click.progressbar(length=n, label="收集", file=sys.stderr)
        bar.__enter__()
    try:
        result = collect(dirs, register, period, directory=directory, exclude=exclude, ledger=ledger_path,
                         progress=(lambda done, total: bar.update(1)) if bar else None, password=password)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)

    write_progress(result.progress, output)
    if csv_path:
        write_progress(result.progress, csv_path.with_suffix(".csv") if csv_path.suffix.lower() != ".csv" else csv_path)
    if report_path:
        write_xlsx(result, report_path)
    if json_path:
        write_json(result, json_path)
    for line in summary_lines(result, {"合并结果": str(output), "问题报告": str(report_path or ""),
                                       "JSON 报告": str(json_path or ""), "CSV": str(csv_path or ""),
                                       "台账记录": str(ledger_path)}):
        click.echo(line)
    if not result.valid:
        raise click.exceptions.Exit(1)


@click.command("remind")
@click.option("--report", "report_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="report.json written by `xltasks collect --json`.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the notices (one .md per unit).")
@click.option("--deadline", default="", help="New deadline to state in the notices, e.g. 2021-10-15.")
@click.option("--contact", default="", help="Contact line of the office (name, phone).")
def remind_cmd(report_path, out_dir, deadline, contact):
    """Write a 催报通知 per missing unit and a 退回修改通知 per rejected unit.

    \b
    Example:
      xltasks remind --report report.json -o notices/ --deadline 2021-10-15
    """
    from ..report import load_report, write_reminders

    report = load_report(report_path)
    written = write_reminders(report, out_dir, deadline=deadline, contact=contact)
    n_missing = len(report.get("missing_units", []))
    n_rejected = len(report.get("rejected_units", []))
    click.echo(f"催报通知：{n_missing} 份，退回修改通知：{n_rejected} 份")
    click.echo(f"输出目录：{out_dir}")
    if not written:
        click.echo("没有需要催报或退回的单位")


COMMANDS = [collect_cmd, remind_cmd]
