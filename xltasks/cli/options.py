"""What every command shares: the command class (Chinese help), the option types and the shared options.

As in sqlite-utils, each shared option is one decorator used by every command that takes it, so the register is
always `--register`, an output always `-o/--output`, a period always a PeriodType and a date always a DateType,
with the same Chinese help and the same Chinese message for a bad value. Older spellings (`--out`) still work,
hidden from the help. Defaults that come from a workspace are filled by the commands (in_workspace.py): outside
a workspace every option required before is required still.

This module is imported by every command module, so it stays light (no openpyxl, pandas or workspace at import).
"""
from __future__ import annotations

import datetime as dt
import inspect
import os
import re
from pathlib import Path
from typing import Callable, Iterable

import click

from .help_text import display_width, short_help, wrap_text

# ---------------------------------------------------------------------------------------------------
# Chinese help: headings, the -h/--help line
# ---------------------------------------------------------------------------------------------------

HELP_TEXT = "显示本帮助并退出。"  # click's own "-h/--help" line is English; every other line is Chinese
USAGE_PREFIX = "用法："
HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}
_EXTRA = re.compile(r"  \[([^\[\]]*)\]$")  # what click appends to an option's help: "  [default: auto; required]"
_EXTRA_WORDS = (("default: ", "默认："), ("env var: ", "环境变量："), ("required", "必填"))


def _chinese_extra(help_text: str) -> tuple[str, str]:
    """An option's help and click's note after it ("  [default: auto; required]"), the note in Chinese."""
    m = _EXTRA.search(help_text)
    if not m:
        return help_text, ""
    parts = m[1].split("; ")
    for english, chinese in _EXTRA_WORDS:
        parts = [chinese + p[len(english):] if p.startswith(english) else p for p in parts]
    return help_text[:m.start()], f"［{'；'.join(parts)}］"


class HelpFormatter(click.HelpFormatter):
    """click's formatter with Chinese headings (用法 / 选项 / 命令), in --help and above a usage error alike, and
    text wrapped for Chinese (help_text.py): measured in display columns, broken between CJK characters."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """click's usage line, measured in display columns (用法： takes six)."""
        prefix = USAGE_PREFIX if prefix is None else prefix
        head = f"{'':>{self.current_indent}}{prefix}{prog}"
        if not args:
            self.write(head + "\n")
            return
        if self.width - display_width(head) - 1 >= 20:  # the arguments fit beside the program's name
            first, indent = head + " ", " " * (display_width(head) + 1)
        else:
            self.write(head + "\n")
            first = indent = " " * (max(self.current_indent, display_width(prefix)) + 4)
        self.write(wrap_text(args, self.width, first, indent) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, indent, indent, preserve_paragraphs=True) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        """click's definition list (options, commands), its columns measured in display columns; click's note
        (［默认：…］) is never broken: it ends the last line, or stands on a line of its own."""
        rows = list(rows)
        first_col = min(max((display_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        margin = " " * (first_col + self.current_indent)
        text_width = max(self.width - first_col - self.current_indent, 10)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if display_width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(term)))
            else:
                self.write("\n" + margin)
            text, note = _chinese_extra(text)
            lines = wrap_text(text, text_width, preserve_paragraphs=True).splitlines() or [""]
            if note and display_width(lines[-1] + note) > text_width and lines[-1]:
                lines.append("")
            lines[-1] += note
            self.write("".join(f"{margin if k else ''}{line}\n" for k, line in enumerate(lines)))


class Context(click.Context):
    formatter_class = HelpFormatter


class ChineseHelp:
    """Mixed into the command and the group classes: Chinese headings and -h/--help line."""

    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        """The line in the group's list of commands, cut to `limit` display columns (click counts characters)."""
        if self.short_help or not self.help or self.deprecated:  # type: ignore[attr-defined]
            return super().get_short_help_str(limit)  # type: ignore[misc]
        return short_help(inspect.cleandoc(self.help), limit)  # type: ignore[attr-defined]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class Command(ChineseHelp, click.Command):
    """Every xltasks command: `@click.command("name", cls=Command)`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:  # "did you mean" names only the spellings the help shows
            hidden = {alias for p in self.params if isinstance(p, AliasOption) for alias in p.aliases}
            exc.possibilities = [p for p in exc.possibilities or () if p not in hidden]
            raise


class AliasOption(click.Option):
    """An option that also answers to older spellings (`--out` for `--output`) without showing them in the help
    or in its error messages."""

    def __init__(self, param_decls, *, aliases: Iterable[str] = (), **attrs):
        self.aliases = tuple(aliases)
        super().__init__([*param_decls, *self.aliases], **attrs)

    def get_help_record(self, ctx: click.Context):
        shown, self.opts = self.opts, [o for o in self.opts if o not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown

    def get_error_hint(self, ctx: click.Context) -> str:
        return " / ".join(f"'{o}'" for o in self.opts if o not in self.aliases)


# ---------------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------------

def date_error(text: str) -> str:
    """Why `text` is not a date: a well-formed date that is not in the calendar (2021-02-29) says so."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip())
    if m:
        year, month, day = map(int, m.groups())
        if 1 <= month <= 12:
            return f"日期不存在：{year} 年 {month} 月没有 {day} 日（收到 {text!r}）"
    return f"日期格式应为 YYYY-MM-DD，例如 2021-09-30（收到 {text!r}）"


class DateType(click.ParamType):
    """A date given as YYYY-MM-DD, rejected with a Chinese message (click's own is English)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
        except ValueError:
            self.fail(date_error(str(value)), param, ctx)


class DateTimeType(click.ParamType):
    """A time given as YYYY-MM-DD or YYYY-MM-DD HH:MM (local time)."""

    name = "YYYY-MM-DD[ HH:MM]"

    def convert(self, value, param, ctx) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip().replace("T", " ")
        for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, pattern)
            except ValueError:
                continue
        self.fail(f"时间格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM，例如 2021-10-08 15:30（收到 {value!r}）", param, ctx)


PERIOD_FORMS = "填报期次应写作 2021Q3（季度）、2021H1（半年）、2021M07 或 2021-07（月）、2021（年）"


class PeriodType(click.ParamType):
    """A reporting period, read by core.layout.parse_period: 2021Q3, 2021H1, 2021M07 or 2021-07, 2021 — or, inside
    a workspace, any period its xltasks.toml names.

    The value is kept as written (it names the files and is matched against the returns' _meta); only its form
    is checked, so a typo (2021Q5, 2021-13) stops here and not after 106 templates are written.
    """

    name = "PERIOD"

    def convert(self, value, param, ctx) -> str:
        from ..core.layout import parse_period, same_period

        text = str(value).strip()
        if not text:
            self.fail("缺少填报期次（如 2021Q3）", param, ctx)
        if parse_period(text) is not None:
            return text
        ws = _workspace(ctx)
        if ws is not None:
            for period in ws.config.periods:
                if same_period(period.name, text):
                    return period.name
            names = "、".join(p.name for p in ws.config.periods)
            self.fail(f"{PERIOD_FORMS}，本工作区的期次为 {names}（收到 {value!r}）", param, ctx)
        self.fail(f"{PERIOD_FORMS}（收到 {value!r}）", param, ctx)


def _workspace(ctx: click.Context | None):
    if ctx is None:
        return None
    from .in_workspace import current_workspace

    return current_workspace(ctx)


REGISTER_MISSING = "请用 --register 给出任务台账（`xltasks import` 写出的 register.xlsx 或 register.json）"


class RegisterPath(click.Path):
    """The register file. Whether it exists is the library's to say (`Error: FILE: 找不到任务台账文件`, exit 1),
    after the other options are checked: a bad date or period is a usage error (exit 2) whatever the register."""

    def __init__(self):
        super().__init__(dir_okay=False, path_type=Path)

    def get_missing_message(self, param, ctx) -> str:
        return REGISTER_MISSING


DATE = DateType()
DATETIME = DateTimeType()
PERIOD = PeriodType()
REGISTER = RegisterPath()

# ---------------------------------------------------------------------------------------------------
# Shared options (decorators)
# ---------------------------------------------------------------------------------------------------

Decorator = Callable[[Callable], Callable]

REGISTER_HELP = "任务台账：`xltasks import` 写出的 register.xlsx 或 register.json"
IN_WORKSPACE = "［工作区内：{}］"


def register_option(help: str = REGISTER_HELP, *, workspace: str = "") -> Decorator:
    """--register FILE, the same in every command that reads the task register."""
    return click.option("--register", "register_path", type=REGISTER,
                        help=help + (IN_WORKSPACE.format(workspace) if workspace else "") + "。")


def output_option(help: str, *, name: str = "output", folder: bool = False, required: bool = False,
                  path_type: type | None = Path) -> Decorator:
    """-o/--output, the same in every command that writes (`--out`, the older spelling, still works).

    Not required by default: outside a workspace the command says it is missing (in_workspace.required_outside);
    inside one the workspace names the output."""
    kind = click.Path(file_okay=not folder, dir_okay=folder, path_type=path_type)
    return click.option("-o", "--output", name, cls=AliasOption, aliases=("--out",), required=required, type=kind,
                        help=help)


def period_option(help: str) -> Decorator:
    """--period PERIOD (templates, collect, import-compilation; in a workspace the period is also positional)."""
    return click.option("--period", type=PERIOD, default=None, help=help)


def period_argument(*, required: bool = True) -> Decorator:
    """PERIOD as the first argument of the workspace's commands (status, receive, remind, close-task, bulletin)."""
    return click.argument("period", type=PERIOD, required=required)


def date_option(flag: str, name: str, help: str) -> Decorator:
    """A date option (--as-of, --deadline, --date): YYYY-MM-DD, checked with a Chinese message."""
    return click.option(flag, name, type=DATE, default=None, help=help)


DIRECTORY_HELP = "单位名录（units.xlsx）：合并单位别名，把“各区县”等集合分发到每个成员单位。"


def directory_option(help: str = DIRECTORY_HELP, *, exists: bool = False, path_type: type | None = None) -> Decorator:
    """--directory FILE, the units directory (templates issues with it, collect reads the returns with it)."""
    return click.option("--directory", "directory_path", type=click.Path(exists=exists, dir_okay=False,
                                                                          path_type=path_type), help=help)


def register_from(positional: str | None, option: Path | None) -> str | Path | None:
    """The register of a command that also takes it as its first argument, the older spelling:
    `xltasks templates register.xlsx …` and `xltasks templates --register register.xlsx …` are the same."""
    if positional is not None and option is not None and not _same_file(Path(positional), Path(option)):
        raise click.UsageError(f"任务台账给了两个：{positional} 与 --register {option}，请只给一个")
    return positional if positional is not None else option


def missing_register(ctx: click.Context, positional_name: str = "register") -> click.MissingParameter:
    """Neither REGISTER nor --register: click's missing-argument words (as before), and how to give it."""
    param = next(p for p in ctx.command.params if p.name == positional_name)
    return click.MissingParameter(ctx=ctx, param=param, message=REGISTER_MISSING)


# ---------------------------------------------------------------------------------------------------
# Outputs never replace inputs
# ---------------------------------------------------------------------------------------------------

def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:  # hard links, and case-insensitive file systems (Windows, macOS)
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def guard_outputs(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]) -> None:
    """Refuse (exit 2) before any work when an output would overwrite an input or another output.

    Input files are never modified: `xltasks import tbl.xlsx -o tbl.xlsx` would otherwise replace the source.
    """
    outs = [Path(p) for p in outputs if p]
    ins = [Path(p) for p in inputs if p]
    for i, out in enumerate(outs):
        for src in ins:
            if _same_file(out, src):
                raise click.UsageError(f"输出文件 {out} 就是输入文件 {src}：输入文件不会被改写，请换一个输出文件名")
        for other in outs[:i]:
            if _same_file(out, other):
                raise click.UsageError(f"输出文件路径重复: {other} 与 {out}")
