"""The command line: a thin click layer over the library.

Library errors (XltasksError) become a one-line `Error: …` and exit 1; bad usage exits 2 (click);
`xltasks -v …` shows the traceback instead. Each stage's commands live in a module of their own here.
"""
from __future__ import annotations

import importlib
import sys
import traceback

import click

from .. import __version__
from ..errors import XltasksError

_COMMAND_MODULES = ("import_cmd", "directory_cmd", "templates_cmd", "collect_cmd", "compile_cmd",
                    "compilation_cmd")


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except XltasksError as exc:
            if ctx.meta.get("xltasks.verbose"):
                traceback.print_exc()
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # noqa: BLE001 - never a traceback for the user, unless -v
            if ctx.meta.get("xltasks.verbose"):
                traceback.print_exc()
            raise click.ClickException(f"内部错误 {type(exc).__name__}: {exc}（加 -v 查看详细信息）") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("-v", "--verbose", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(__version__, prog_name="xltasks")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """xltasks: 重点工作督查 — decomposition → per-unit templates → returned workbooks → 完成情况汇编.

    \b
    A whole cycle on the bundled example:
      xltasks import workbooks/example/source/hangzhou_2021_decomposition.txt -o register.xlsx
      xltasks templates register.xlsx -o templates/ --period 2021Q3 --deadline 2021-10-10
      xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx --report report.xlsx
      xltasks compile merged.xlsx --register register.xlsx -o 汇编.xlsx --as-of 2021-09-30
    """
    ctx.meta["xltasks.verbose"] = verbose


def echo_err(message: str) -> None:
    click.echo(message, err=True)


for _name in _COMMAND_MODULES:
    _module = importlib.import_module(f".{_name}", __name__)
    for _command in getattr(_module, "COMMANDS", ()):
        main.add_command(_command)


def run() -> None:  # console-script entry point
    main(prog_name="xltasks")


if __name__ == "__main__":
    sys.exit(run())
