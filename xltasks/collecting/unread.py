"""Which files in a returns folder are not read, and why: every one is listed in the report (文件清单) with
its reason, so a unit whose return is a .rar, an .xlsx.bak or three zips deep is not silently 未报送.

`scan(dirs, exclude)` walks the folders once: (the files to read, the files not read). A file is read when
its name, without trailing spaces or dots ("x.xlsx " as Windows shows it), ends in a workbook or .zip
extension; .et (WPS) is read too, its bytes deciding the format. Folders reached through a symbolic link
are not followed (a link can loop or bring in the same files twice) and are listed as such; hidden folders
(".git") are not walked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

READ_EXTS = (".xlsx", ".xlsm", ".xls", ".ods", ".et", ".zip")  # intake.WORKBOOK_EXTS + ARCHIVE_EXTS
ARCHIVES_NOT_READ = (".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".cab", ".arj", ".lzh")
BACKUP_EXTS = (".bak", ".tmp", ".old", ".orig", ".backup", ".wbk", ".xlk")

REASON_LINK = "指向文件夹的符号链接，未跟随 — 请把其中的文件直接放入收集的文件夹"
REASON_LOCK = "Office/WPS 打开文件时留下的临时文件，不是报送表"
REASON_PART = "未写完的临时输出文件（上次运行中断时留下），不是报送表"
REASON_HIDDEN = "隐藏文件，不是报送表"
REASON_DEEP = "压缩包嵌套过深（超过 {depth} 层），未读取 — 请解压后把报送表直接放入收集的文件夹"


@dataclass(frozen=True)
class Unread:
    """A file (or archive member) that was not read, and why (Chinese, with what to do)."""

    path: str
    reason: str


def reason_not_read(name: str) -> str | None:
    """Why a file of this name is not read as a return; None when it is read."""
    if name.startswith(("~$", ".~lock")) or name.endswith("#"):
        return REASON_LOCK
    if name.endswith(".part"):
        return REASON_PART
    if name.startswith("."):
        return REASON_HIDDEN
    lower = name.rstrip(" .").lower()
    ext = os.path.splitext(lower)[1]
    if ext in READ_EXTS:
        return None
    if ext in ARCHIVES_NOT_READ:
        return f"不支持的压缩格式（{ext}），未读取 — 请解压后重新收集，或改用 .zip 压缩"
    if ext in BACKUP_EXTS:
        inner = os.path.splitext(os.path.splitext(lower)[0])[1]
        if inner in READ_EXTS:
            return f"备份文件（{ext}），未读取 — 如它就是报送表，请去掉“{ext}”后缀（另存为 {inner}）"
        return f"备份或临时文件（{ext}），未读取"
    shown = ext or "无扩展名"
    return f"不支持的格式（{shown}），未读取 — 如为报送表，请另存为 .xlsx"


def scan(dirs: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> tuple[list[Path], list[Unread]]:
    """(files to read, files not read) under `dirs`, recursively and sorted; a file given directly is read."""
    from .intake import shown_path

    excluded = {os.path.abspath(p) for p in exclude}
    read: list[Path] = []
    unread: list[Unread] = []
    seen: set[str] = set()
    for d in dirs:
        d = Path(d)
        candidates: list[Path] = []
        if d.is_file():
            read_direct = os.path.abspath(d)
            if read_direct not in seen and read_direct not in excluded:
                seen.add(read_direct)
                read.append(d)
            continue
        for root, subdirs, files in os.walk(d):
            links = sorted(s for s in subdirs if os.path.islink(os.path.join(root, s)))
            unread.extend(Unread(shown_path(Path(root) / s), REASON_LINK) for s in links)
            subdirs[:] = sorted(s for s in subdirs if not s.startswith(".") and s not in links)
            candidates.extend(Path(root) / f for f in sorted(files))
        for p in candidates:
            ap = os.path.abspath(p)
            if ap in seen or ap in excluded:
                continue
            seen.add(ap)
            reason = reason_not_read(p.name)
            if reason is None:
                read.append(p)
            else:
                unread.append(Unread(shown_path(p), reason))
    return read, unread
