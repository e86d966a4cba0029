"""The command line: a thin click layer over the library.

Library errors (core/errors.py) become a one-line `Error: …` and exit 1; bad usage (UsageError) exits 2;
`xltasks -v …` shows the traceback instead. Each stage's commands live in a module of their own here, loaded
only when the command runs; what they share (the command class with the Chinese help, the option types, the
shared options) is in options.py.
"""
from __future__ import annotations

import importlib
import sys
import traceback

import click

from .. import __version__
from ..core.errors import UsageError, XltasksError
from .options import ChineseHelp, Command

_COMMAND_MODULES = ("workspace_cmd", "import_cmd", "directory_cmd", "templates_cmd", "collect_cmd", "compile_cmd",
                    "compilation_cmd", "serve_cmd")
# Which module holds each command: a command's module (and what it imports) loads only when that command
# runs, so `xltasks collect` does not pay for the importers (a test keeps this table in step).
COMMAND_MODULE = {"import": "import_cmd", "directory": "directory_cmd", "templates": "templates_cmd",
                  "collect": "collect_cmd", "remind": "collect_cmd", "compile": "compile_cmd",
                  "import-compilation": "compilation_cmd", "serve": "serve_cmd", "init": "workspace_cmd",
                  "status": "workspace_cmd", "receive": "workspace_cmd", "close-task": "workspace_cmd",
                  "bulletin": "workspace_cmd"}


class Group(ChineseHelp, click.Group):
    """The xltasks group: Chinese help, and every failure shown as one line (see the module doc)."""

    command_class = Command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except UsageError as exc:
            if ctx.meta.get("xltasks.verbose"):
                traceback.print_exc()
            raise click.UsageError(str(exc)) from None
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


class LazyGroup(Group):
    """Imports a command's module when the command is asked for; `commands` (all of them) loads every one."""

    @property
    def commands(self) -> dict[str, click.Command]:
        for name in COMMAND_MODULE:
            self._load(name)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        self._commands[name or cmd.name] = cmd

    def _load(self, name: str) -> None:
        if name not in self._commands and name in COMMAND_MODULE:
            module = importlib.import_module(f".{COMMAND_MODULE[name]}", __name__)
            for command in getattr(module, "COMMANDS", ()):
                self.add_command(command)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        self._load(name)
        return self._commands.get(name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._commands) | set(COMMAND_MODULE))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("-v", "--verbose", is_flag=True, help="出错时显示完整的错误追踪信息（供技术人员排查）。")
@click.version_option(__version__, prog_name="xltasks", help="显示版本号并退出。")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """xltasks：重点工作督查——责任分解 → 各单位填报模板 → 收集报送表 → 完成情况汇编。

    \b
    以附带的示例走一遍完整流程：
      xltasks import workbooks/example/source/hangzhou_2021_decomposition.txt -o register.xlsx
      xltasks templates --register register.xlsx -o templates/ --period 2021Q3 --deadline 2021-10-10
      xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx \\
          --report report.xlsx
      xltasks compile merged.xlsx --register register.xlsx -o 汇编.xlsx --as-of 2021-09-30
    """
    ctx.meta["xltasks.verbose"] = verbose


def run() -> None:  # console-script entry point
    main(prog_name="xltasks")


if __name__ == "__main__":
    sys.exit(run())
