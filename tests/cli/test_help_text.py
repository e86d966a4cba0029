"""Help text wrapped for Chinese (xltasks/cli/help_text.py): lines joined without stray spaces, filled to the
width in display columns, broken between CJK characters but never inside a Latin word, with the kinsoku rules;
examples kept as written. The wrapping function first, then the help of the real commands."""
from __future__ import annotations

import inspect

import pytest
from click.testing import CliRunner

from xltasks.cli import COMMAND_MODULE, main
from xltasks.cli.help_text import CLOSING, OPENING, display_width, join_lines, short_help, wrap_text


def wrap(text: str, width: int) -> list[str]:
    return wrap_text(text, width, preserve_paragraphs=True).split("\n")


# --- measuring and joining ------------------------------------------------------------------------------

def test_display_width_counts_cjk_as_two_columns():
    assert display_width("abc") == 3
    assert display_width("汇编") == 4
    assert display_width("（默认：8000）") == 2 * 5 + 4
    assert display_width("“已销号”") == 1 + 6 + 1  # the curly quotes are narrow in a terminal


def test_lines_join_without_a_space_beside_cjk_and_with_one_between_latin_words():
    assert join_lines(["所有报送表都通过校验时退出码为 0（未报送的单位", "只列入报告），发现“错误”级问题时为 1。"]) == \
        "所有报送表都通过校验时退出码为 0（未报送的单位只列入报告），发现“错误”级问题时为 1。"
    assert join_lines(["the register is", "  --register, an output"]) == "the register is --register, an output"
    assert join_lines(["写出的", "register.xlsx 或", "register.json"]) == "写出的register.xlsx 或register.json"
    assert join_lines(["结果：", "“趋势”表"]) == "结果：“趋势”表"


# --- filling: exact lines -------------------------------------------------------------------------------

def test_chinese_is_broken_between_any_two_characters_by_display_width():
    assert wrap("甲乙丙丁戊己庚辛壬癸甲乙", 10) == ["甲乙丙丁戊", "己庚辛壬癸", "甲乙"]
    assert wrap("甲乙丙丁戊己庚辛壬癸甲乙", 9) == ["甲乙丙丁", "戊己庚辛", "壬癸甲乙"]  # 9 columns hold 4
    assert wrap_text("甲乙丙丁戊己庚辛壬癸", 10, "  ", "    ") == "  甲乙丙丁\n    戊己庚\n    辛壬癸"


def test_a_paragraph_from_the_collect_help():
    text = ("逐层查找 DIRS 中的文件（.xlsx .xlsm .xls .ods，以及直接读取 .zip 压缩包内的文件），按隐藏的识别信息\n"
            "认出每个文件属于哪个单位，逐项校验后汇总通过的文件。所有报送表都通过校验时退出码为 0（未报送的单位\n"
            "只列入报告），发现“错误”级问题时为 1。")
    assert wrap(text, 40) == [
        "逐层查找 DIRS 中的文件（.xlsx .xlsm .xls",
        ".ods，以及直接读取 .zip 压缩包内的文",  # 件）， would make 42 columns
        "件），按隐藏的识别信息认出每个文件属于哪",
        "个单位，逐项校验后汇总通过的文件。所有报",
        "送表都通过校验时退出码为 0（未报送的单位",
        "只列入报告），发现“错误”级问题时为 1。"]


def test_latin_words_options_paths_and_periods_are_never_split():
    text = "用 --register 给出 register.xlsx，期次如 2021Q3，输出写入期次/merged.xlsx。"
    assert wrap(text, 16) == ["用 --register 给", "出", "register.xlsx，", "期次如 2021Q3，", "输出写入期",
                              "次/merged.xlsx。"]  # the name's letters let go of 期 when it cannot fit
    assert wrap("用 --a-very-long-option-name 给出", 10) == ["用", "--a-very-long-option-name", "给出"]
    assert wrap("Each shared option is one decorator used by every command that takes it.", 30) == [
        "Each shared option is one", "decorator used by every", "command that takes it."]


def test_a_name_keeps_the_chinese_letters_joined_to_it_while_it_fits():
    assert wrap("写入期次/汇编.xlsx 与分发清单.xlsx", 20) == ["写入期次/汇编.xlsx", "与分发清单.xlsx"]
    assert wrap("写入期次/汇编.xlsx 与分发清单.xlsx", 12) == ["写入期次/汇", "编.xlsx 与分", "发清单.xlsx"]


def test_a_note_in_square_brackets_is_kept_whole_while_it_fits():
    assert wrap("格式 YYYY-MM-DD［默认：今天］。", 31) == ["格式 YYYY-MM-DD［默认：今天］。"]
    assert wrap("格式 YYYY-MM-DD［默认：今天］。", 24) == ["格式 YYYY-MM-DD", "［默认：今天］。"]
    assert wrap("写出［工作区内：工作区的任务台账］。", 20) == ["写出［工作区内：工作", "区的任务台账］。"]


def test_closing_punctuation_never_starts_a_line_and_opening_never_ends_one():
    assert wrap("甲乙丙丁，戊己", 8) == ["甲乙丙", "丁，戊己"]  # "，" would start line 2: "丁" comes with it
    assert wrap("甲乙丙丁）。戊己", 8) == ["甲乙丙", "丁）。戊", "己"]
    assert wrap("甲乙丙（丁戊）", 8) == ["甲乙丙", "（丁戊）"]  # "（" would end line 1: it goes down
    assert wrap("说明——破折号", 11) == ["说明——破折", "号"]
    assert wrap("甲乙丙——丁", 7) == ["甲乙丙", "——丁"]  # the dash is one mark, not split


@pytest.mark.parametrize("width", range(8, 41))
def test_kinsoku_and_width_hold_at_every_width(width):
    text = ("在工作区内只需给出期次：截至日期和着色规则取自 xltasks.toml，汇编另有上期完成率、变化、“趋势”表，"
            "已销号任务和逾期报送的单位均有标注（见《说明》）。报送截止日期，格式 YYYY-MM-DD，如 2021-10-10［工作区内：取自"
            "xltasks.toml］。")
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, nothing added but spaces
    for line in lines:
        assert line[0] not in CLOSING and line[-1] not in OPENING and line == line.strip()
        # wider only when it is one Latin token, with the punctuation that may not be parted from it
        assert display_width(line) <= width or " " not in line and line.strip(CLOSING + OPENING).isascii(), line


# --- paragraphs, examples, \b ----------------------------------------------------------------------------

def test_a_deeper_indented_line_starts_a_block_kept_as_written():
    text = ("在工作区内只需给出期次：收集期次文件夹中的文件，\n"
            "截止日期后收到的报送表记为逾期报送：\n"
            "  xltasks collect 2021Q3\n"
            "      --json report.json     # 注释\n"
            "之后照常。\n"
            "\n"
            "第二段。")
    assert wrap_text(text, 24, "  ", "  ", preserve_paragraphs=True).split("\n") == [
        "  在工作区内只需给出期",  # 次 goes down with the ： after it
        "  次：收集期次文件夹中的",
        "  文件，截止日期后收到的",
        "  报送表记为逾期报送：",
        "    xltasks collect 2021Q3",
        "        --json report.json     # 注释",
        "  之后照常。",
        "",
        "  第二段。"]


def test_click_no_rewrap_blocks_are_kept():
    text = "第一段，\n接着写。\n\n\b\n示例：\n  a  b\n    c\n\n\n最后一段。"
    assert wrap_text(text, 30, "  ", "  ", preserve_paragraphs=True) == \
        "  第一段，接着写。\n\n  示例：\n    a  b\n      c\n\n  最后一段。"


def test_the_short_help_is_cut_by_display_width():
    text = "收集各单位报送的填报表：识别、校验、\n汇总、出报告。\n\n更多说明。"
    assert short_help(text, 60) == "收集各单位报送的填报表：识别、校验、汇总、出报告。"
    assert short_help(text, 30) == "收集各单位报送的填报表：识……"
    assert short_help(text, 26) == "收集各单位报送的填报表……"  # "：" is not left before the ellipsis
    assert all(display_width(short_help(text, limit)) <= limit for limit in range(4, 60))


# --- the help of the real commands -------------------------------------------------------------------------

def help_of(command: str, width: int) -> str:
    r = CliRunner().invoke(main, [command, "-h"] if command else ["-h"], prog_name="xltasks", terminal_width=width)
    assert r.exit_code == 0, r.output
    return r.output


def docstring_of(command: str) -> list[str]:
    return inspect.cleandoc((main.commands[command] if command else main).help).splitlines()


COLLECT_HELP_AT_80 = """\
用法：xltasks collect [OPTIONS] DIRS...

  收集各单位报送的填报表：识别、校验、汇总、出报告。

  逐层查找 DIRS 中的文件（.xlsx .xlsm .xls .ods，以及直接读取 .zip 压缩包内的文
  件），按隐藏的识别信息认出每个文件属于哪个单位，逐项校验后汇总通过的文件。所有
  报送表都通过校验时退出码为 0（未报送的单位只列入报告），发现“错误”级问题时为
  1。

  示例：
    xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx \\
        --report report.xlsx --json report.json
    xltasks collect returns/ --register register.xlsx --period 2021Q3 -o merged.xlsx \\
        --password 口令

  报送的文件一律按不可信处理：压缩炸弹、加密文件（未给 --password 时）、含 XML
  DOCTYPE/实体声明的文件以及不是工作簿的文件只列为问题并退回，不会解析；同一文件
  夹中的正常文件照常汇总。

  在工作区内只需给出期次：收集期次文件夹 returns 中的文件，结果写入期次文件夹，
  收文记入工作区数据库，截止日期后收到的报送表照常采用、记为逾期报送：
    xltasks collect 2021Q3

选项：
  --register FILE    任务台账：`xltasks import` 写出的 register.xlsx 或
                     register.json［工作区内：工作区的任务台账］。
  --period PERIOD    本次收集的填报期次，如 2021Q3（须与下发模板的期次一致）。
  -o, --output FILE  汇总结果 merged.xlsx：通过校验的报送表合并而成的进度台账
                     ［工作区内：期次/merged.xlsx］。
  --report FILE      问题报告 report.xlsx：问题清单、报送情况、催报名单、文件清
                     单。
  --json FILE        report.json：同样内容的机器可读版本（`xltasks remind` 的输
                     入）。
  --ledger FILE      收文台账（SQLite），记录历次收到的每个文件
                     ［默认：输出文件旁的 ledger.sqlite］。
  --csv FILE         另写一份 CSV 格式的汇总结果（UTF-8 带 BOM，Excel 可直接打
                     开）。
  --directory FILE   下发模板时使用的单位名录（units.xlsx），如有。
  --password TEXT    加密报送表的打开密码（也可用环境变量 XLTASKS_PASSWORD）；只
                     在内存中解密，不写入磁盘。不提供时加密文件列为问题并退回。
  -h, --help         显示本帮助并退出。
"""


def test_collect_help_at_80_columns():
    assert help_of("collect", 80) == COLLECT_HELP_AT_80


@pytest.mark.parametrize("command", ["", *sorted(COMMAND_MODULE)])
@pytest.mark.parametrize("width", [60, 80, 98])
def test_no_help_line_is_wider_than_the_width_but_an_example_kept_as_written(command, width):
    output = help_of(command, width)
    lines = output.splitlines()
    doc = docstring_of(command)
    for example in (line for line in doc if line.startswith(" ")):  # the examples, each kept as written
        assert "  " + example in lines
    too_wide = [line for line in lines if display_width(line) > width]
    assert all(line[2:] in doc or line == "  --layout [auto|web-table|numbered|pipe-table|labelled|tab-table|table]"
               for line in too_wide), too_wide  # an example, or an option too long for its column
    if width == 98:  # the widest the help gets (max_content_width): the examples fit too
        assert too_wide == []


def test_the_stray_space_between_two_source_lines_is_gone():
    for width in (60, 80, 98):
        text = "".join(line.strip() for line in help_of("collect", width).splitlines())
        assert "退出码为 0（未报送的单位只列入报告），" in text and "单位 只" not in text


def test_the_list_of_commands_has_one_line_each_within_the_width():
    for width in (60, 80, 98):
        lines = help_of("", width).splitlines()
        rows = lines[lines.index("命令：") + 1:]
        assert [row.split()[0] for row in rows] == sorted(COMMAND_MODULE)
        assert all(display_width(row) <= width for row in rows), rows
    assert "  collect             收集各单位报送的填报表：识别、校验、汇总、出报告。" in rows
    assert "  serve               在本机启动督查网页：督查室看总览、台账、下发模板、报送情况、编制汇编；各……" in rows


def test_serve_help_at_60_columns():
    assert help_of("serve", 60) == """\
用法：xltasks serve [OPTIONS] [WORKSPACE]

  在本机启动督查网页：督查室看总览、台账、下发模板、报送情
  况、编制汇编；各单位凭专属链接上传报送表，当场看到检查结
  果。

  示例：
    xltasks serve                      # 当前目录（或其上级）的工作区，http://127.0.0.1:8000/
    xltasks serve 督查2021 --port 8080
    xltasks serve 督查2021 --host 0.0.0.0 --set-password   # 内网可访问
    xltasks serve 督查2021 --behind-https-proxy 127.0.0.1   # 本机 nginx 提供 HTTPS
    xltasks serve 督查2021 --host 0.0.0.0 --tls-cert duban.crt --tls-key duban.key

  不连互联网，不加载任何外部资源。首次打开督查室页面时设置密
  码（只能在本机，凭终端显示的一次性验证码）。

选项：
  --host TEXT                   监听地址。默认只有本机能打
                                开；要让各单位在内网访问，用
                                本机的内网地址或 0.0.0.0（须
                                先设置督查室密码）。
                                ［默认：127.0.0.1］
  --port INTEGER RANGE          端口。
                                ［默认：8000；1<=x<=65535］
  --set-password                先在终端设置（或更改）督查室
                                登录密码，再启动。
  --behind-https-proxy ADDRESS  经本单位的 HTTPS 反向代理
                                （如 nginx）对外提供时，写代
                                理的 IP 地址（或网段，可重
                                复）：登录 Cookie 只经 HTTPS
                                发送，只信任来自这些地址的
                                X-Forwarded-For/Proto。见
                                README。
  --tls-cert FILE               不经反向代理、由本程序直接提
                                供 HTTPS：证书文件（PEM，可
                                含中间证书），与 --tls-key
                                同用。
  --tls-key FILE                --tls-cert 证书的私钥文件
                                （PEM，不设口令）。
  --upload-limit N              每个单位每 10 分钟最多上传的
                                次数（默认 30）。
                                ［1<=x<=100000］
  -h, --help                    显示本帮助并退出。
"""


def test_the_usage_line_is_measured_in_display_columns():
    assert help_of("close-task", 50).splitlines()[:2] == ["用法：xltasks close-task [OPTIONS] PERIOD",
                                                          "                         [TASK_IDS]..."]
