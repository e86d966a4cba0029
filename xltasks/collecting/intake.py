"""Intake: find returned files and read each once; the pre-flight every untrusted container passes first.

- `walk(dirs)` yields a `Source` per candidate file: folders are walked recursively in a stable order;
  .zip mail archives are opened in place (members read into memory, nothing extracted next to them).
- `preflight_data(source)` sniffs the bytes (not the extension) and refuses what must not be parsed (the
  zip container's own checks are untrusted_zip.py); `workbook.open_book` runs it before any reader sees
  the file.

Pre-flight (every returned file is untrusted): caps on size, member count and per-member/total uncompressed
size from the zip directory (no ratio check: styles.xml compresses extremely well), a lying header caught
by inflating against the declared size once a file is big enough to matter, any DOCTYPE/entity in an XML
member refused, encryption detected with msoffcrypto (decrypted in memory with a password, never on disk).

Each file's bytes are read once; the sha256, the zip and the calamine workbook all work on that buffer.
A file that cannot be opened gives a `ReturnedFileError` carrying a problem code of problems.py.
The sheet-extent caps (MAX_SHEET_*) are applied by workbook.Book before calamine reads a sheet.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator

from ..core.errors import ReturnedFileError
from ..core.fileio import sha256_bytes, source_name
from .unread import REASON_DEEP, reason_not_read

WORKBOOK_EXTS = (".xlsx", ".xlsm", ".xls", ".ods", ".et")  # .et (WPS): its bytes decide the format
ARCHIVE_EXTS = (".zip",)

# Pre-flight caps (a zip bomb is refused before anything is decompressed). Generous for real workbooks:
# the ratio of a single member is NOT checked (styles.xml and shared strings compress very well).
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_ARCHIVE_DEPTH = 2
# A sheet's value grid is dense in calamine (rows × columns cells from A1 to the farthest cell holding a
# value): one "x" typed in XFD1048576 asks for 512 GiB. A template has ~15 columns and 6 rows per task
# (a province: ~60,000 rows), so a farther cell is refused (`too-large`) before calamine reads the sheet.
MAX_SHEET_COLS = 200
MAX_SHEET_ROWS = 200_000
MAX_SHEET_CELLS = 5_000_000  # rows × columns of the grid

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Source:
    """One candidate file: a file on disk or a member of a .zip archive."""

    path: str  # as shown to people: "returns/a.xlsx" or "returns/mail.zip::市发改委.xlsx"
    key: str  # identity in the ledger: absolute path (+ "::member")
    data: bytes
    mtime: float  # the file's (or the archive member's) modification time, epoch seconds
    error: str = ""  # why the file was not read at all (not a regular file); open_book reports it
    unread: str = ""  # why this archive member is not read at all (unread.py): listed, never opened

    @cached_property
    def sha256(self) -> str:
        return sha256_bytes(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def name(self) -> str:
        return source_name(self.path)


# ---------------------------------------------------------------------------------------------------
# Walking
# ---------------------------------------------------------------------------------------------------

def list_files(dirs: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Workbook and archive files under `dirs` (recursively, sorted); a file given directly is taken as is.
    unread.scan also gives the files that are not read, with their reasons."""
    from .unread import scan

    return scan(dirs, exclude)[0]


def walk(dirs: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Iterator[Source]:
    """Every candidate file under `dirs`, archive members included, each read once."""
    for p in list_files(dirs, exclude):
        yield from sources_of(p)


NOT_REGULAR = "不是普通文件（可能是管道、设备或指向它们的链接），未予读取"


def _read_regular(p: Path) -> tuple[bytes, float, str]:
    """(bytes, mtime, error) of a regular file (a symlink to one is fine), at most MAX_FILE_BYTES + 1 bytes.
    A FIFO, device or socket is never read: opened non-blocking (a FIFO without a writer would hang) and
    checked with fstat on that very descriptor, so it cannot be swapped in between check and read."""
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b"", st.st_mtime, NOT_REGULAR
        if st.st_size > MAX_FILE_BYTES:
            return b"", st.st_mtime, ""  # not read: reported by open_book as too large
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > MAX_FILE_BYTES:  # grew after the stat: still never more than the cap in memory
            return b"PK-too-large", st.st_mtime, ""
        return data, st.st_mtime, ""
    finally:
        os.close(fd)


def shown_path(path: str | Path) -> str:
    """A path as people can read it and every output can store it. A name that is not valid UTF-8 on disk
    (a zip unpacked from Chinese Windows keeps its GBK bytes) reaches Python with surrogate escapes, which
    no writer accepts: each such component is decoded as GB18030 where it is that, else its odd bytes are
    shown as \\xNN. Never raises."""
    text = os.fspath(path)
    if not _SURROGATE.search(text):
        return text
    parts = []
    for raw in os.fsencode(text).split(b"/"):
        for encoding in ("utf-8", "gb18030"):
            try:
                parts.append(raw.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            parts.append(raw.decode("utf-8", "backslashreplace"))
    return "/".join(parts)


_SURROGATE = re.compile("[\udc80-\udcff]")


def sources_of(p: Path) -> Iterator[Source]:
    """The Source(s) of one file on disk: itself, or the workbook members of an archive. Its path and key
    are shown_path()s: any file name can be reported, recorded and written (never a crash on a name)."""
    path, key = shown_path(p), shown_path(os.path.abspath(p))
    try:
        data, mtime, error = _read_regular(p)
    except OSError:
        yield Source(path, key, b"", 0.0)  # unreadable: reported as not-a-workbook
        return
    if error or not data:
        yield Source(path, key, b"", mtime, error=error)
        return
    st_mtime = mtime
    if p.name.rstrip(" .").lower().endswith(ARCHIVE_EXTS):
        yield from _archive_members(path, key, data, st_mtime, depth=1)
    else:
        yield Source(path, key, data, st_mtime)


def _member_name(info: zipfile.ZipInfo) -> str:
    # Without the UTF-8 flag zipfile decodes a name as cp437. Chinese Windows zips store GBK there, and
    # many other tools (macOS, 7-Zip settings, Java) UTF-8 without setting the flag: UTF-8 is tried first
    # (GBK bytes are almost never valid UTF-8), then GB18030.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _archive_members(path: str, key: str, data: bytes, mtime: float, depth: int) -> Iterator[Source]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        yield Source(path, key, data, mtime)  # reported as not-a-workbook by open_book
        return
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        yield Source(path, key, b"PK-too-large", mtime)
        return
    for info in sorted(infos, key=lambda i: _member_name(i)):
        name = _member_name(info)
        base = name.rsplit("/", 1)[-1]
        ext = os.path.splitext(base)[1].lower()
        if info.is_dir() or name.startswith("__MACOSX/"):
            continue  # macOS resource forks: not files anyone sent
        member_path, member_key = f"{path}::{name}", f"{key}::{name}"
        reason = reason_not_read(base)
        if reason is None and ext.rstrip(" .") in ARCHIVE_EXTS and depth >= MAX_ARCHIVE_DEPTH:
            reason = REASON_DEEP.format(depth=MAX_ARCHIVE_DEPTH)
        if reason is not None:
            yield Source(member_path, member_key, b"", mtime, unread=reason)
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            yield Source(member_path, member_key, b"PK-too-large", mtime)
            continue
        try:
            member = zf.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            member = b""  # encrypted or corrupt member: open_book reports it
        m_mtime = _zip_time(info) or mtime
        if ext.rstrip(" .") in ARCHIVE_EXTS:
            yield from _archive_members(member_path, member_key, member, m_mtime, depth + 1)
            continue
        yield Source(member_path, member_key, member, m_mtime)


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return None


# ---------------------------------------------------------------------------------------------------
# Pre-flight
# ---------------------------------------------------------------------------------------------------

def sniff(data: bytes) -> str:
    """"zip", "ole" or "" from the first bytes."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    return ""


def preflight(source: Source, password: str | None = None) -> tuple[str, zipfile.ZipFile | None]:
    """Decide the format from the bytes and refuse what must not be parsed. Returns (kind, zip).

    Raises ReturnedFileError: not-a-workbook, encrypted, bad-password, too-large, xml-dtd.
    """
    kind, zf, _ = preflight_data(source, password)
    return kind, zf


def preflight_data(source: Source, password: str | None = None) -> tuple[str, zipfile.ZipFile | None, bytes]:
    """`preflight`, also returning the bytes to parse: the file's own, or its decryption (in memory only)."""
    data = source.data
    if source.error:
        raise ReturnedFileError("not-a-workbook", source.error)
    if data == b"PK-too-large" or (not data and _too_big_on_disk(source)):
        raise ReturnedFileError("too-large", "超过读取上限")
    if not data:
        raise ReturnedFileError("not-a-workbook", "文件为空或无法读取")
    if sniff(data) == "ole" and _ole_encrypted(data):
        # An encrypted OOXML is an OLE file holding EncryptionInfo + EncryptedPackage; .xls may be RC4.
        if not password:
            raise ReturnedFileError("encrypted")
        data = _decrypt(data, password)
        if sniff(data) == "ole" and _ole_encrypted(data):
            raise ReturnedFileError("bad-password", "解密后仍为加密文件")
    kind, zf = _preflight_bytes(data)
    return kind, zf, data


def _preflight_bytes(data: bytes) -> tuple[str, zipfile.ZipFile | None]:
    from .untrusted_zip import InflatedZip, check_declared_sizes, check_xml_prologs  # they raise ReturnedFileError

    magic = sniff(data)
    if magic == "ole":
        return "xls", None
    if magic != "zip":
        return _text_kind(data), None
    try:
        zf = InflatedZip(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReturnedFileError("not-a-workbook", "压缩结构已损坏（文件可能未完整传输）")
    if len(infos) > MAX_MEMBERS:
        raise ReturnedFileError("too-large", f"内部成员 {len(infos)} 个")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise ReturnedFileError("too-large", f"解压后超过 {MAX_TOTAL_BYTES // 2**20} MB")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
        kind = "xlsx"
    elif "mimetype" in names and zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet":
        kind = "ods"
    elif "word/document.xml" in names:
        raise ReturnedFileError("not-a-workbook", "这是 Word 文档")
    else:
        raise ReturnedFileError("not-a-workbook", "是压缩文件，但不是 Excel 工作簿")
    try:
        check_declared_sizes(data, infos, MAX_TOTAL_BYTES)
        check_xml_prologs(zf, infos)
        if kind == "ods" and "META-INF/manifest.xml" in names and \
                b"encryption-data" in zf.read("META-INF/manifest.xml"):
            raise ReturnedFileError("encrypted")  # an ODF password: not decryptable here
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise ReturnedFileError("not-a-workbook", "压缩结构已损坏（文件可能未完整传输）")
    return kind, zf


# Deflate expands at most ~1032:1. Below this many compressed bytes no member can inflate past the caps,
# whatever its header claims, so the check costs nothing for ordinary workbooks.
def _too_big_on_disk(source: Source) -> bool:
    try:
        return os.path.getsize(source.key) > MAX_FILE_BYTES
    except OSError:
        return False


def _text_kind(data: bytes):
    head = data[:8]
    if head.startswith(b"%PDF"):
        raise ReturnedFileError("not-a-workbook", "这是 PDF 文件")
    if head.lstrip().startswith((b"<html", b"<!DOC", b"<?xml", b"<HTML")):
        raise ReturnedFileError("not-a-workbook", "这是网页或 XML 文件，不是工作簿")
    raise ReturnedFileError("not-a-workbook", "文件内容不是工作簿（可能是改了扩展名的文本或其他文件）")


def _ole_encrypted(data: bytes) -> bool:
    try:
        import msoffcrypto

        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - not decidable: let the reader try
        return False


def _decrypt(data: bytes, password: str) -> bytes:
    """The decrypted workbook, in memory only (never written next to the source)."""
    import msoffcrypto

    try:
        f = msoffcrypto.OfficeFile(io.BytesIO(data))
        try:
            f.load_key(password=password, verify_password=True)
        except TypeError:  # formats whose load_key has no verify_password
            f.load_key(password=password)
        out = io.BytesIO()
        f.decrypt(out)
    except Exception:  # noqa: BLE001 - wrong password, unsupported cipher, corrupt stream: all one answer
        raise ReturnedFileError("bad-password", "密码不正确或加密方式不受支持") from None
    return out.getvalue()
