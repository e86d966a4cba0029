"""report.xlsx shows paths the way the office finds the files: relative to the returns folder."""
from __future__ import annotations

from xltasks.report import _path_display


def test_paths_relative_to_the_shared_folder_and_zip_members_kept():
    show = _path_display(["/mail/2021Q3/市发改委/报送.xlsx", "/mail/2021Q3/附件.zip::市建委.xlsx",
                          "/mail/2021Q3/市教育局.xlsx"])
    assert show("/mail/2021Q3/市发改委/报送.xlsx") == "市发改委/报送.xlsx"
    assert show("/mail/2021Q3/附件.zip::市建委.xlsx") == "附件.zip::市建委.xlsx"
    assert show("") == ""


def test_single_file_shows_its_name():
    show = _path_display(["/mail/2021Q3/市发改委.xlsx"])
    assert show("/mail/2021Q3/市发改委.xlsx") == "市发改委.xlsx"
