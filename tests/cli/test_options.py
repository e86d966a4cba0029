"""The options every command shares (xltasks/cli/options.py): one spelling each, checked the same way in every
command, with the help and the messages in Chinese. Each test asserts the exit code and the exact text."""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from tests.builders import make_register
from xltasks.cli import COMMAND_MODULE, main
from xltasks.cli.options import Command

REGISTER_MISSING = "请用 --register 给出任务台账（`xltasks import` 写出的 register.xlsx 或 register.json）"
PERIOD_FORMS = "填报期次应写作 2021Q3（季度）、2021H1（半年）、2021M07 或 2021-07（月）、2021（年）"
HELP_LINE = "显示本帮助并退出。"

# Each command's usage line and its options as `--help` lists them, in order.
HELP = {
    "bulletin": ("用法：xltasks bulletin [OPTIONS] PERIOD", ["-o, --output FILE", "--date YYYY-MM-DD", "--pdf"]),
    "close-task": ("用法：xltasks close-task [OPTIONS] PERIOD [TASK_IDS]...", ["--reason TEXT", "--from FILE"]),
    "collect": ("用法：xltasks collect [OPTIONS] DIRS...",
                ["--register FILE", "--period PERIOD", "-o, --output FILE", "--report FILE", "--json FILE",
                 "--ledger FILE", "--csv FILE", "--directory FILE", "--password TEXT"]),
    "compile": ("用法：xltasks compile [OPTIONS] MERGED",
                ["--register FILE", "-o, --output FILE", "--as-of YYYY-MM-DD", "--rules TEXT", "--title TEXT", "--pdf",
                 "--force"]),
    "directory": ("用法：xltasks directory [OPTIONS] REGISTER", ["--register FILE", "-o, --output FILE"]),
    "import": ("用法：xltasks import [OPTIONS] SOURCES...",
               ["-o, --output FILE", "--explain",
                "--layout [auto|web-table|numbered|pipe-table|labelled|tab-table|table]"]),
    "import-compilation": ("用法：xltasks import-compilation [OPTIONS] FILE",
                           ["--register FILE", "-o, --output FILE", "--period PERIOD"]),
    "init": ("用法：xltasks init [OPTIONS] FOLDER",
             ["--title TEXT", "--year INTEGER RANGE", "--cadence [quarter|month|half]", "--office TEXT",
              "--contact TEXT", "--rules TEXT"]),
    "receive": ("用法：xltasks receive [OPTIONS] PERIOD FILES...", ["--at YYYY-MM-DD[ HH:MM]"]),
    "remind": ("用法：xltasks remind [OPTIONS] [PERIOD]",
               ["--report FILE", "-o, --output DIRECTORY", "--deadline YYYY-MM-DD", "--as-of YYYY-MM-DD",
                "--contact TEXT"]),
    "serve": ("用法：xltasks serve [OPTIONS] [WORKSPACE]", ["--host TEXT", "--port INTEGER RANGE", "--set-password",
                                                            "--behind-https-proxy ADDRESS", "--tls-cert FILE", "--tls-key FILE",
                                                            "--upload-limit N"]),
    "status": ("用法：xltasks status [OPTIONS] [PERIOD]", ["--json"]),
    "templates": ("用法：xltasks templates [OPTIONS] REGISTER",
                  ["--register FILE", "-o, --output DIRECTORY", "--period PERIOD", "--deadline YYYY-MM-DD",
                   "--directory FILE", "--units TEXT", "--previous FILE", "--rows-per-task INTEGER RANGE",
                   "--contact TEXT"]),
}
REGISTER_HELP = ["任务台账：`xltasks import` 写出的 register.xlsx 或",  # --register's help, line by line
                 "register.json［工作区内：工作区的任务台账］。"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="xltasks")


def usage_error(command: str, message: str, usage: str | None = None) -> str:
    """What click prints for bad usage, with our Chinese heading."""
    usage = usage or HELP[command][0]
    prog = f"xltasks {command}" if command else "xltasks"
    return f"{usage}\nTry '{prog} --help' for help.\n\nError: {message}\n"


def option_terms(output: str) -> list[str]:
    return [re.split(r"\s{2,}", line.strip())[0] for line in output.splitlines() if line.startswith("  -")]


@pytest.fixture(autouse=True)
def outside_a_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no xltasks.toml above a fresh temporary folder


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "r.json"
    make_register().save_json(path)
    return path


# --- help ---------------------------------------------------------------------------------------------

def test_the_table_covers_every_command():
    assert set(HELP) == set(COMMAND_MODULE)
    assert all(isinstance(main.commands[name], Command) for name in COMMAND_MODULE)


@pytest.mark.parametrize("name", sorted(HELP))
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_of_each_command(name, flag):
    r = run(name, flag)
    usage, options = HELP[name]
    lines = r.output.splitlines()
    assert r.exit_code == 0
    assert lines[0] == usage
    assert lines[1] == ""
    assert "选项：" in lines and not {"Usage:", "Options:"} & {line.split(" ")[0] for line in lines}
    assert option_terms(r.output) == [*options, "-h, --help"]
    assert re.fullmatch(r"  -h, --help +" + HELP_LINE, lines[-1])
    assert "--out " not in r.output and "--out," not in r.output  # the older spelling works, unlisted


def test_top_level_help_headings():
    r = run("--help")
    lines = r.output.splitlines()
    assert r.exit_code == 0
    assert lines[0] == "用法：xltasks [OPTIONS] COMMAND [ARGS]..."
    assert lines[lines.index("选项：") + 1:lines.index("选项：") + 4] == [
        "  -v, --verbose  出错时显示完整的错误追踪信息（供技术人员排查）。",
        "  --version      显示版本号并退出。",
        "  -h, --help     显示本帮助并退出。"]
    assert lines[lines.index("命令：") + 1].startswith("  bulletin ")
    assert "    xltasks templates --register register.xlsx -o templates/ --period 2021Q3 --deadline 2021-10-10" in lines


def test_click_notes_in_the_help_are_chinese():
    r = run("init", "--help")
    assert r.exit_code == 0
    assert "  --year INTEGER RANGE            年度，如 2021。［1901<=x<=2999；必填］" in r.output.splitlines()
    assert "［默认：quarter］" in r.output and "[default" not in r.output and "required]" not in r.output


def test_command_class_gives_any_command_the_chinese_help():
    @click.command("try", cls=Command)
    @click.option("--n", type=int, default=3, show_default=True, help="次数。")
    def try_command(n):
        """试一试。"""

    r = CliRunner().invoke(try_command, ["--help"], prog_name="try")
    assert (r.exit_code, r.output) == (0, "用法：try [OPTIONS]\n\n  试一试。\n\n选项：\n"
                                          "  --n INTEGER  次数。［默认：3］\n  --help       显示本帮助并退出。\n")


# --- usage errors: exit 2, click's words under our heading ---------------------------------------------

def test_unknown_option_is_a_usage_error():
    r = run("templates", "--bogus")
    assert (r.exit_code, r.output) == (2, usage_error("templates", "No such option '--bogus'."))


def test_unknown_command_is_a_usage_error():
    r = run("nosuch")
    assert (r.exit_code, r.output) == (2, usage_error("", "No such command 'nosuch'.",
                                                      "用法：xltasks [OPTIONS] COMMAND [ARGS]..."))


def test_a_hidden_spelling_is_never_suggested():
    r = run("templates", "--outpt", "t")
    assert r.exit_code == 2
    assert r.output.splitlines()[-1] == "Error: No such option '--outpt'. (Did you mean one of: '--contact', '--output'?)"


# --- the register: --register FILE in every command that reads it ---------------------------------------

REGISTER_COMMANDS = {  # the arguments each needs besides the register, to get as far as reading it
    "templates": lambda t: ["-o", t / "out", "--period", "2021Q3"],
    "directory": lambda t: ["-o", t / "units.xlsx"],
    "collect": lambda t: [t, "--period", "2021Q3", "-o", t / "out" / "merged.xlsx"],
    "compile": lambda t: [t / "merged.xlsx", "-o", t / "汇编.xlsx", "--as-of", "2021-09-30"],
    "import-compilation": lambda t: [t / "old.txt", "-o", t / "previous.xlsx"],
}


@pytest.mark.parametrize("name", sorted(REGISTER_COMMANDS))
def test_every_command_takes_the_register_as_one_option(name, tmp_path):
    r = run(name, "--help")
    lines = r.output.splitlines()
    shown = [k for k, line in enumerate(lines) if line.startswith("  --register")]
    assert r.exit_code == 0 and len(shown) == 1
    # the help as wrapped for Chinese (help_text.py) at CliRunner's 80 columns: broken between Chinese characters
    expected = {"import-compilation": ["任务台账（`xltasks import` 写出的 register.xlsx 或",
                                       "register.json，或责任分解文件本身），汇编中的任务按它匹配任",
                                       "务编号。"],
                "templates": ["任务台账：`xltasks import` 写出的 register.xlsx", "或 register.json",
                              "［工作区内：工作区的任务台账］。"]}.get(name, REGISTER_HELP)
    term = re.fullmatch(r"(  --register FILE +)(.*)", lines[shown[0]])
    margin = " " * len(term[1])
    assert [term[2], *lines[shown[0] + 1:shown[0] + len(expected)]] == [expected[0], *(margin + e for e in expected[1:])]
    assert not lines[shown[0] + len(expected)].startswith(margin)  # the next option follows
    # the register named by --register is the one read: a missing one is said the library's way, before any output
    missing = tmp_path / "无此台账.json"
    r = run(name, "--register", missing, *REGISTER_COMMANDS[name](tmp_path))
    assert (r.exit_code, r.output) == (1, f"Error: {missing}: 找不到任务台账文件\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, args, message", [
    ("templates", ["-o", "t", "--period", "2021Q3"], f"Missing argument 'REGISTER'. {REGISTER_MISSING}"),
    ("directory", ["-o", "u.xlsx"], f"Missing argument 'REGISTER'. {REGISTER_MISSING}"),
    ("collect", [".", "--period", "2021Q3", "-o", "m.xlsx"], f"Missing option '--register'. {REGISTER_MISSING}"),
    ("compile", ["m.xlsx", "-o", "h.xlsx", "--as-of", "2021-09-30"],
     f"Missing option '--register'. {REGISTER_MISSING}"),
])
def test_a_missing_register_says_how_to_give_it(name, args, message, tmp_path):
    r = run(name, *args)
    assert (r.exit_code, r.output) == (2, usage_error(name, message))
    assert list(tmp_path.iterdir()) == []


def test_register_as_first_argument_or_option_is_the_same(register, tmp_path):
    old = run("directory", register, "--out", tmp_path / "a.xlsx")
    new = run("directory", "--register", register, "-o", tmp_path / "b.xlsx")
    assert (old.exit_code, new.exit_code) == (0, 0)
    assert new.output == (f"已写出单位名录: {tmp_path / 'b.xlsx'}（单位 5 个，别名 0 个，集合 0 个）\n"
                          "请核对别名与集合成员，补充联系人后用 --directory 传给 xltasks templates。\n")
    assert old.output == new.output.replace("b.xlsx", "a.xlsx")


def test_register_given_twice(register, tmp_path):
    other = tmp_path / "other.json"
    other.write_bytes(register.read_bytes())
    r = run("templates", register, "--register", other, "-o", tmp_path / "t", "--period", "2021Q3")
    assert (r.exit_code, r.output) == (2, usage_error(
        "templates", f"任务台账给了两个：{register} 与 --register {other}，请只给一个"))
    same = run("templates", register, "--register", register, "-o", tmp_path / "t", "--period", "2021Q3")
    assert same.exit_code == 0 and same.output.startswith("已生成 5 个单位的填报模板")
    # one file in two spellings (relative and absolute; the current folder is tmp_path) is given once
    spelled = run("templates", register.name, "--register", register, "-o", tmp_path / "t2", "--period", "2021Q3")
    assert spelled.exit_code == 0 and spelled.output.startswith("已生成 5 个单位的填报模板"), spelled.output


# --- the output: -o/--output everywhere, --out still works --------------------------------------------

OUTPUT_COMMANDS = {  # arguments whose output is one of the inputs: refused before any work, naming both
    "import": lambda t, o: [t / "x.xlsx", o, t / "x.xlsx"],
    "directory": lambda t, o: [t / "x.xlsx", o, t / "x.xlsx"],
    "templates": lambda t, o: [t / "分发清单.xlsx", o, t, "--period", "2021Q3"],
    "collect": lambda t, o: [t, "--register", t / "x.xlsx", "--period", "2021Q3", o, t / "x.xlsx"],
    "remind": lambda t, o: ["--report", t / "notices", o, t / "notices"],  # -o is a folder here
    "compile": lambda t, o: [t / "x.xlsx", "--register", t / "r.json", o, t / "x.xlsx", "--as-of", "2021-09-30"],
    "import-compilation": lambda t, o: [t / "x.xlsx", o, t / "x.xlsx"],
}


@pytest.mark.parametrize("spelling", ["-o", "--output", "--out"])
@pytest.mark.parametrize("name", sorted(OUTPUT_COMMANDS))
def test_every_command_writes_to_dash_o_output(name, spelling, tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"input")
    if name == "templates":
        (tmp_path / "分发清单.xlsx").write_bytes(b"input")
    r = run(name, *OUTPUT_COMMANDS[name](tmp_path, spelling))
    src = tmp_path / {"templates": "分发清单.xlsx", "remind": "notices"}.get(name, "x.xlsx")
    assert (r.exit_code, r.output.splitlines()[-1]) == (
        2, f"Error: 输出文件 {src} 就是输入文件 {src}：输入文件不会被改写，请换一个输出文件名")
    assert (tmp_path / "x.xlsx").read_bytes() == b"input"


@pytest.mark.parametrize("name, args", [
    ("import", ["a.txt"]),
    ("directory", ["r.json"]),
    ("import-compilation", ["old.txt"]),
])
def test_a_missing_output_names_dash_o_output(name, args):
    r = run(name, *args)
    message = ("需要 -o/--output 指定输出的任务台账(或用 --explain 只查看识别情况)" if name == "import"
               else "Missing option '-o' / '--output'.")
    assert (r.exit_code, r.output) == (2, usage_error(name, message))


# --- periods: one type, every command ------------------------------------------------------------------

PERIOD_COMMANDS = {  # where the period goes in each command that takes one
    "templates": lambda p: ["r.json", "-o", "t", "--period", p],
    "collect": lambda p: [".", "--register", "r.json", "-o", "m.xlsx", "--period", p],
    "import-compilation": lambda p: ["old.txt", "-o", "p.xlsx", "--period", p],
    "status": lambda p: [p],
    "receive": lambda p: [p, "."],
    "remind": lambda p: [p],
    "close-task": lambda p: [p, "4.28"],
    "bulletin": lambda p: [p],
}


def period_hint(name: str) -> str:
    if name in ("templates", "collect", "import-compilation"):
        return "'--period'"
    return "'[PERIOD]'" if name in ("status", "remind") else "'PERIOD'"


@pytest.mark.parametrize("name", sorted(PERIOD_COMMANDS))
@pytest.mark.parametrize("text", ["2021Q5", "2021H3", "2021-13", "三季度", "21Q3", "0000Q1"])
def test_a_bad_period_is_a_usage_error_in_every_command(name, text, tmp_path):
    r = run(name, *PERIOD_COMMANDS[name](text))
    assert (r.exit_code, r.output) == (2, usage_error(
        name, f"Invalid value for {period_hint(name)}: {PERIOD_FORMS}（收到 '{text}'）"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["templates", "collect", "import-compilation"])
def test_a_blank_period_is_missing(name):
    r = run(name, *PERIOD_COMMANDS[name](" "))
    assert (r.exit_code, r.output) == (2, usage_error(name, "Invalid value for '--period': 缺少填报期次（如 2021Q3）"))


@pytest.mark.parametrize("name", sorted(PERIOD_COMMANDS))
@pytest.mark.parametrize("text", ["2021Q3", "2021q4", "2021H1", "2021M07", "2021-07", "2021"])
def test_every_period_form_gets_past_the_period_check(name, text):
    r = run(name, *PERIOD_COMMANDS[name](text))
    assert "填报期次" not in r.output and "Invalid value" not in r.output, r.output


@pytest.mark.parametrize("period", ["2021Q3", "2021H1", "2021M07", "2021-07", "2021"])
def test_templates_and_collect_run_with_each_period_form(register, tmp_path, period):
    t = run("templates", "--register", register, "-o", tmp_path / "t", "--period", period)
    assert (t.exit_code, t.output.splitlines()[0]) == (0, f"已生成 5 个单位的填报模板（共 8 个任务分配）: {tmp_path / 't'}")
    assert sorted(p.name for p in (tmp_path / "t").glob("*.xlsx"))[0] == f"{period}_市交通局.xlsx"
    (tmp_path / "returns").mkdir()
    c = run("collect", tmp_path / "returns", "--register", register, "--period", period, "-o", tmp_path / "m.xlsx")
    assert c.exit_code == 0, c.output
    from xltasks.core.progress_io import read_progress

    assert read_progress(tmp_path / "m.xlsx").period == period


def test_a_workspace_period_named_freely_is_accepted_and_a_bad_one_lists_them(tmp_path, monkeypatch):
    assert run("init", tmp_path / "ws", "--title", "督查", "--year", "2021", "--cadence", "half").exit_code == 0
    config = tmp_path / "ws" / "xltasks.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('name = "2021H2"', 'name = "2021-special"'),
                      encoding="utf-8")
    monkeypatch.chdir(tmp_path / "ws")
    ok = run("status", "2021-SPECIAL", "--json")
    assert ok.exit_code == 0 and '"period": "2021-special"' in ok.output
    bad = run("status", "2021H3")
    assert (bad.exit_code, bad.output) == (2, usage_error("status", (
        f"Invalid value for '[PERIOD]': {PERIOD_FORMS}，本工作区的期次为 2021H1、2021-special（收到 '2021H3'）")))


# --- dates: one type, every command ---------------------------------------------------------------------

DATE_OPTIONS = {  # command, the date option, and the other arguments it needs
    ("compile", "--as-of"): ["m.xlsx", "--register", "r.json", "-o", "h.xlsx"],
    ("templates", "--deadline"): ["r.json", "-o", "t", "--period", "2021Q3"],
    ("remind", "--deadline"): ["--report", "r.json", "-o", "n"],
    ("remind", "--as-of"): ["--report", "r.json", "-o", "n"],
    ("bulletin", "--date"): ["2021Q3"],
}


@pytest.mark.parametrize("name, flag", sorted(DATE_OPTIONS))
@pytest.mark.parametrize("text, message", [
    ("2021/09/30", "日期格式应为 YYYY-MM-DD，例如 2021-09-30（收到 '2021/09/30'）"),
    ("10月10日", "日期格式应为 YYYY-MM-DD，例如 2021-09-30（收到 '10月10日'）"),
    ("2021-02-29", "日期不存在：2021 年 2 月没有 29 日（收到 '2021-02-29'）"),
])
def test_a_bad_date_is_a_usage_error_in_every_command(name, flag, text, message, tmp_path):
    r = run(name, *DATE_OPTIONS[(name, flag)], flag, text)
    assert (r.exit_code, r.output) == (2, usage_error(name, f"Invalid value for '{flag}': {message}"))
    assert list(tmp_path.iterdir()) == []


def test_every_date_option_is_shown_the_same_way():
    for name, flag in DATE_OPTIONS:
        assert f"{flag} YYYY-MM-DD" in HELP[name][1], (name, flag)
    r = run("receive", "2021Q3", ".", "--at", "明天")
    assert (r.exit_code, r.output) == (2, usage_error("receive", (
        "Invalid value for '--at': 时间格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM，例如 2021-10-08 15:30（收到 '明天'）")))


def test_the_group_class_shows_library_errors_by_kind():
    from xltasks.cli import Group
    from xltasks.core.errors import InputError, UsageError

    @click.command("usage", cls=Command)
    def usage():
        """用法错误。"""
        raise UsageError("参数不对")

    @click.command("input", cls=Command)
    def bad_input():
        """输入错误。"""
        raise InputError("缺少列", file="r.xlsx", where="任务!A1")

    group = Group(commands=[usage, bad_input], context_settings={"help_option_names": ["-h", "--help"]})
    r = CliRunner().invoke(group, ["usage"], prog_name="g")
    assert (r.exit_code, r.output) == (2, "Error: 参数不对\n")  # a library UsageError: one line, exit 2
    r = CliRunner().invoke(group, ["input"], prog_name="g")
    assert (r.exit_code, r.output) == (1, "Error: r.xlsx:任务!A1: 缺少列\n")
    r = CliRunner().invoke(group, ["-h"], prog_name="g")
    assert (r.exit_code, r.output) == (0, "用法：g [OPTIONS] COMMAND [ARGS]...\n\n选项：\n  -h, --help  显示本帮助并退出。\n\n"
                                          "命令：\n  input  输入错误。\n  usage  用法错误。\n")


def test_inside_a_workspace_the_register_defaults_to_the_workspace_one(tmp_path, monkeypatch):
    from xltasks.core.register_io import write_register

    assert run("init", tmp_path / "ws", "--title", "督查", "--year", "2021").exit_code == 0
    write_register(make_register(), tmp_path / "ws" / "register.xlsx")
    monkeypatch.chdir(tmp_path / "ws")
    r = run("directory", "-o", tmp_path / "units.xlsx")
    assert (r.exit_code, r.output.splitlines()[0]) == (
        0, f"已写出单位名录: {tmp_path / 'units.xlsx'}（单位 5 个，别名 0 个，集合 0 个）")
