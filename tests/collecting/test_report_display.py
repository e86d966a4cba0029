"""report.xlsx and the console show paths the way the office finds the files: relative to the returns folder."""
from __future__ import annotations

from xltasks.collecting.report import shown_path


def test_paths_relative_to_the_collected_folder_and_zip_members_kept():
    folders = ["/mail/2021Q3"]
    assert shown_path("/mail/2021Q3/市发改委/报送.xlsx", folders) == "市发改委/报送.xlsx"
    assert shown_path("/mail/2021Q3/附件.zip::市建委.xlsx", folders) == "附件.zip::市建委.xlsx"
    assert shown_path("", folders) == ""


def test_single_file_shows_its_name_and_outside_paths_stay_whole():
    assert shown_path("/mail/2021Q3/市发改委.xlsx", ["/mail/2021Q3"]) == "市发改委.xlsx"
    assert shown_path("/other/x.xlsx", ["/mail/2021Q3"]) == "/other/x.xlsx"
    # of several folders, the one that holds the file
    assert shown_path("/b/y.xlsx", ["/a", "/b"]) == "y.xlsx"
