"""Intake: find returned files, open each once, and identify it by its `_meta` sheet (never by its name).

- `walk(dirs)` yields a `Source` per candidate file: folders are walked recursively in a stable order;
  .zip mail archives are opened in place (members read into memory, nothing extracted next to them).
- `open_book(source)` sniffs the bytes (not the extension), runs the pre-flight (`preflight`), and returns a
  `Book`: values through python-calamine (fast, no style parsing), formulas read straight from the sheet
  XML (xlsx: iterparse of xl/worksheets/*.xml; ods: content.xml) through defusedxml, the hidden `_meta`
  sheet as a dict, and the workbook's own saved time (docProps/core.xml or meta.xml).

Pre-flight (every returned file is untrusted): caps on size, member count and per-member/total uncompressed
size from the zip directory (no ratio check: styles.xml compresses extremely well), a lying header caught
by inflating against the declared size once a file is big enough to matter, any DOCTYPE/entity in an XML
member refused, encryption detected with msoffcrypto (decrypted in memory with a password, never on disk).

Each file's bytes are read once; the sha256, the zip and the calamine workbook all work on that buffer.
A file that cannot be opened gives an `IntakeFailure` carrying a problem code of problems.py.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator

from ..core.fileio import sha256_bytes
from ..core.layout import SHEET_META
from ..core.sheetsize import far_cell, sheet_parts

WORKBOOK_EXTS = (".xlsx", ".xlsm", ".xls", ".ods")
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

    @cached_property
    def sha256(self) -> str:
        return sha256_bytes(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def name(self) -> str:
        return self.path.replace("::", "/").rsplit("/", 1)[-1]


class IntakeFailure(Exception):
    """A file that cannot be opened as a workbook: `code` is a problems.py code, `reason` Chinese text;
    `sheet`/`cell` name the place when there is one (a value far outside the template's area)."""

    def __init__(self, code: str, reason: str = "", sheet: str = "", cell: str = ""):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.sheet = sheet
        self.cell = cell


# ---------------------------------------------------------------------------------------------------
# Walking
# ---------------------------------------------------------------------------------------------------

def _ignored_name(name: str) -> bool:
    # Office/WPS/LibreOffice lock and temp files, and our own atomic-write temps, are never returns.
    return name.startswith(("~$", ".~lock", ".")) or name.endswith((".part", "#"))


def list_files(dirs: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> list[Path]:
    """Workbook and archive files under `dirs` (recursively, sorted); a file given directly is taken as is."""
    excluded = {os.path.abspath(p) for p in exclude}
    out: list[Path] = []
    seen: set[str] = set()
    for d in dirs:
        d = Path(d)
        if d.is_file():
            candidates = [d]
        else:
            candidates = []
            for root, subdirs, files in os.walk(d):
                subdirs[:] = sorted(s for s in subdirs if not s.startswith("."))
                candidates.extend(Path(root) / f for f in sorted(files))
        for p in candidates:
            ap = os.path.abspath(p)
            if ap in seen or ap in excluded or _ignored_name(p.name):
                continue
            if p.suffix.lower() in WORKBOOK_EXTS + ARCHIVE_EXTS:
                seen.add(ap)
                out.append(p)
    return out


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


def sources_of(p: Path) -> Iterator[Source]:
    """The Source(s) of one file on disk: itself, or the workbook members of an archive."""
    try:
        data, mtime, error = _read_regular(p)
    except OSError:
        yield Source(str(p), os.path.abspath(p), b"", 0.0)  # unreadable: reported as not-a-workbook
        return
    if error or not data:
        yield Source(str(p), os.path.abspath(p), b"", mtime, error=error)
        return
    st_mtime = mtime
    if p.suffix.lower() in ARCHIVE_EXTS:
        yield from _archive_members(str(p), os.path.abspath(p), data, st_mtime, depth=1)
    else:
        yield Source(str(p), os.path.abspath(p), data, st_mtime)


def _member_name(info: zipfile.ZipInfo) -> str:
    # Chinese Windows zips store names in GBK without the UTF-8 flag; zipfile then decodes them as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
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
        if info.is_dir() or _ignored_name(base) or name.startswith("__MACOSX/"):
            continue
        if ext not in WORKBOOK_EXTS + ARCHIVE_EXTS:
            continue
        member_path, member_key = f"{path}::{name}", f"{key}::{name}"
        if info.file_size > MAX_MEMBER_BYTES:
            yield Source(member_path, member_key, b"PK-too-large", mtime)
            continue
        try:
            member = zf.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            member = b""  # encrypted or corrupt member: open_book reports it
        m_mtime = _zip_time(info) or mtime
        if ext in ARCHIVE_EXTS:
            if depth < MAX_ARCHIVE_DEPTH:
                yield from _archive_members(member_path, member_key, member, m_mtime, depth + 1)
            continue
        yield Source(member_path, member_key, member, m_mtime)


def _zip_time(info: zipfile.ZipInfo) -> float | None:
    try:
        return dt.datetime(*info.date_time).timestamp()
    except (ValueError, OverflowError):
        return None


# ---------------------------------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------------------------------

@dataclass
class Formula:
    text: str  # without the leading "=" (ods: "of:" prefix and [.A1] references normalised away)
    has_value: bool  # a cached result is stored with it


@dataclass
class Book:
    source: Source
    kind: str  # "xlsx" / "ods" / "xls"
    sheet_names: list[str]
    hidden_sheets: set[str]
    _cal: object = field(repr=False)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)
    _xlsx_sheet_paths: dict[str, str] = field(default_factory=dict, repr=False)
    _rows_cache: dict[str, list[list]] = field(default_factory=dict, repr=False)
    _sheet_cache: dict[str, object] = field(default_factory=dict, repr=False)
    _member_cache: dict[str, bytes] = field(default_factory=dict, repr=False)
    _percent_styles: frozenset[int] | None = field(default=None, repr=False)

    def _sheet(self, sheet: str):
        # calamine parses the whole sheet part on each get_sheet_by_name; values and merges share one parse
        if sheet not in self._sheet_cache:
            self.check_extent(sheet)
            self._sheet_cache[sheet] = self._cal.get_sheet_by_name(sheet)
        return self._sheet_cache[sheet]

    def check_extent(self, sheet: str) -> None:
        """Refuse (IntakeFailure too-large) a sheet whose farthest value lies outside any template's area,
        before calamine allocates its dense grid. xlsx only: for .ods/.xls calamine's own reader runs under
        the file-size cap alone (xls grids are bounded by the format: 65,536 × 256)."""
        if self.kind != "xlsx":
            return
        member = self._xlsx_sheet_paths.get(sheet)
        if not member:
            return
        try:
            data = self._member(member)
        except KeyError:
            return
        far = far_cell(self._zip, member, data, max_rows=MAX_SHEET_ROWS, max_cols=MAX_SHEET_COLS,
                       max_cells=MAX_SHEET_CELLS)
        if far is not None:
            (rows, cols), ref = far
            raise IntakeFailure("too-large", f"“{sheet}”表 {ref} 有内容，表格达 {rows} 行 × {cols} 列",
                                sheet=sheet, cell=ref)

    def rows(self, sheet: str) -> list[list]:
        """The sheet's values as a grid from A1 (row 0 = Excel row 1); blank cells are ""."""
        if sheet not in self._rows_cache:
            self._rows_cache[sheet] = self._sheet(sheet).to_python(skip_empty_area=False)
        return self._rows_cache[sheet]

    def meta(self) -> dict[str, str] | None:
        """The `_meta` sheet as key → value (column A → column B), None when there is no such sheet."""
        if SHEET_META not in self.sheet_names:
            return None
        out: dict[str, str] = {}
        for row in self.rows(SHEET_META):
            if len(row) >= 2:
                key = cell_text(row[0]).strip()
                if key and key not in out:
                    out[key] = cell_text(row[1]).strip()
        return out

    def formulas(self, sheet: str) -> dict[tuple[int, int], Formula] | None:
        """Formulas of a sheet by 0-based (row, col); None when the format does not tell (xls)."""
        try:
            if self.kind == "xlsx":
                member = self._xlsx_sheet_paths.get(sheet)
                return _xlsx_formulas(self._zip, member, self._member(member)) if member else {}
            if self.kind == "ods":
                return _ods_formulas(self._zip, sheet)
        except Exception:  # noqa: BLE001 - an unreadable sheet XML means no formula information
            return {}
        return None

    def _member(self, member: str) -> bytes:
        # a sheet part is inflated once and shared by the formula and the number-format readers
        if member not in self._member_cache:
            self._member_cache[member] = self._zip.read(member)
        return self._member_cache[member]

    def percent_cells(self, sheet: str, cols: Iterable[int]) -> set[tuple[int, int]]:
        """0-based (row, col) of the cells in `cols` stored with a percent number format (xlsx only).

        calamine gives values without their format, and "3.5%" typed in Excel or WPS is stored as 0.035;
        the format tells that cell apart from a 3.5 typed as such. Empty for ods/xls and unreadable styles.
        """
        if self.kind != "xlsx":
            return set()
        try:
            if self._percent_styles is None:
                self._percent_styles = _xlsx_percent_styles(self._zip)
            member = self._xlsx_sheet_paths.get(sheet)
            if not member or not self._percent_styles:
                return set()
            return _xlsx_styled_cells(self._member(member), self._percent_styles, set(cols))
        except Exception:  # noqa: BLE001 - no format information then; the scale checks still apply
            return set()

    def merged_ranges(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """Merged areas of a sheet as 0-based (first_row, first_col, last_row, last_col)."""
        try:
            ranges = self._sheet(sheet).merged_cell_ranges
        except IntakeFailure:
            raise
        except Exception:  # noqa: BLE001 - a format without merge information has none to report
            return []
        return [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges or ()]

    @cached_property
    def saved_at(self) -> dt.datetime | None:
        """The workbook's own last-saved time (UTC, naive), None when it does not say."""
        try:
            if self.kind == "xlsx":
                text = _xml_text(self._zip, "docProps/core.xml", "modified")
            elif self.kind == "ods":
                text = _xml_text(self._zip, "meta.xml", "date")
            else:
                return None
            return _parse_time(text) if text else None
        except Exception:  # noqa: BLE001 - a missing or odd core.xml just means "unknown"
            return None

    def close(self) -> None:
        self._member_cache.clear()
        try:
            self._cal.close()
        except Exception:  # noqa: BLE001
            pass


def cell_text(v) -> str:
    """A cell value as text: 2021.0 → "2021", True → "TRUE"."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def sniff(data: bytes) -> str:
    """"zip", "ole" or "" from the first bytes."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    return ""


def preflight(source: Source, password: str | None = None) -> tuple[str, zipfile.ZipFile | None]:
    """Decide the format from the bytes and refuse what must not be parsed. Returns (kind, zip).

    Raises IntakeFailure: not-a-workbook, encrypted, bad-password, too-large, xml-dtd.
    """
    kind, zf, _ = preflight_data(source, password)
    return kind, zf


def preflight_data(source: Source, password: str | None = None) -> tuple[str, zipfile.ZipFile | None, bytes]:
    """`preflight`, also returning the bytes to parse: the file's own, or its decryption (in memory only)."""
    data = source.data
    if source.error:
        raise IntakeFailure("not-a-workbook", source.error)
    if data == b"PK-too-large" or (not data and _too_big_on_disk(source)):
        raise IntakeFailure("too-large", "超过读取上限")
    if not data:
        raise IntakeFailure("not-a-workbook", "文件为空或无法读取")
    if sniff(data) == "ole" and _ole_encrypted(data):
        # An encrypted OOXML is an OLE file holding EncryptionInfo + EncryptedPackage; .xls may be RC4.
        if not password:
            raise IntakeFailure("encrypted")
        data = _decrypt(data, password)
        if sniff(data) == "ole" and _ole_encrypted(data):
            raise IntakeFailure("bad-password", "解密后仍为加密文件")
    kind, zf = _preflight_bytes(data)
    return kind, zf, data


def _preflight_bytes(data: bytes) -> tuple[str, zipfile.ZipFile | None]:
    magic = sniff(data)
    if magic == "ole":
        return "xls", None
    if magic != "zip":
        return _text_kind(data), None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise IntakeFailure("not-a-workbook", "压缩结构已损坏（文件可能未完整传输）")
    if len(infos) > MAX_MEMBERS:
        raise IntakeFailure("too-large", f"内部成员 {len(infos)} 个")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise IntakeFailure("too-large", f"解压后超过 {MAX_TOTAL_BYTES // 2**20} MB")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
        kind = "xlsx"
    elif "mimetype" in names and zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet":
        kind = "ods"
    elif "word/document.xml" in names:
        raise IntakeFailure("not-a-workbook", "这是 Word 文档")
    else:
        raise IntakeFailure("not-a-workbook", "是压缩文件，但不是 Excel 工作簿")
    try:
        _check_declared_sizes(data, infos)
        _check_xml_prologs(zf, infos)
        if kind == "ods" and "META-INF/manifest.xml" in names and \
                b"encryption-data" in zf.read("META-INF/manifest.xml"):
            raise IntakeFailure("encrypted")  # an ODF password: not decryptable here
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise IntakeFailure("not-a-workbook", "压缩结构已损坏（文件可能未完整传输）")
    return kind, zf


# Deflate expands at most ~1032:1. Below this many compressed bytes no member can inflate past the caps,
# whatever its header claims, so the check costs nothing for ordinary workbooks.
_DEFLATE_MAX_RATIO = 1032
_LOCAL_HEADER = 30


def _check_declared_sizes(data: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse members whose data inflates past their declared size (a bomb with a lying header): the
    readers trust the central directory's sizes only as far as Python's zipfile does, the Rust one not at all."""
    if sum(i.compress_size for i in infos) * _DEFLATE_MAX_RATIO <= MAX_TOTAL_BYTES:
        return
    for i in infos:
        if i.compress_type == zipfile.ZIP_STORED:
            if i.compress_size != i.file_size:
                raise IntakeFailure("too-large", f"成员“{i.filename}”大小与声明不符")
            continue
        if i.compress_type != zipfile.ZIP_DEFLATED:
            raise IntakeFailure("not-a-workbook", f"成员“{i.filename}”使用了工作簿不会使用的压缩方式")
        h = i.header_offset
        head = data[h:h + _LOCAL_HEADER]
        if len(head) < _LOCAL_HEADER or head[:4] != b"PK\x03\x04":
            raise IntakeFailure("not-a-workbook", "压缩结构已损坏（文件可能未完整传输）")
        start = h + _LOCAL_HEADER + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        buf = data[start:start + i.compress_size]
        d = zlib.decompressobj(-15)
        out = 0
        while buf:
            out += len(d.decompress(buf, 1 << 20))
            if out > i.file_size:
                raise IntakeFailure("too-large", f"成员“{i.filename}”解压后超过其声明的大小")
            buf = d.unconsumed_tail


_XML_MEMBER_EXTS = (".xml", ".rels", ".vml")
_PROLOG_BYTES = 64 * 1024
_XML_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)
_XML_ROOT = re.compile(rb"<[A-Za-z_]")


def _check_xml_prologs(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse any XML member that declares a DOCTYPE or entities (billion laughs, XXE): Office never writes
    one, and so no parser — ours, openpyxl's, calamine's — ever sees it. Only each member's head is read."""
    for i in infos:
        if i.is_dir() or not i.filename.lower().endswith(_XML_MEMBER_EXTS):
            continue
        with zf.open(i) as f:
            head = f.read(_PROLOG_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", "ignore").encode("utf-8")
        if b"<!ENTITY" in head:
            raise IntakeFailure("xml-dtd", i.filename)
        body = _XML_SKIP.sub(b"", head)
        m = _XML_ROOT.search(body)
        prolog = body[:m.start()] if m else body
        if b"<!DOCTYPE" in prolog or (m is None and len(head) >= _PROLOG_BYTES):
            raise IntakeFailure("xml-dtd", i.filename)


def _too_big_on_disk(source: Source) -> bool:
    try:
        return os.path.getsize(source.key) > MAX_FILE_BYTES
    except OSError:
        return False


def _text_kind(data: bytes):
    head = data[:8]
    if head.startswith(b"%PDF"):
        raise IntakeFailure("not-a-workbook", "这是 PDF 文件")
    if head.lstrip().startswith((b"<html", b"<!DOC", b"<?xml", b"<HTML")):
        raise IntakeFailure("not-a-workbook", "这是网页或 XML 文件，不是工作簿")
    raise IntakeFailure("not-a-workbook", "文件内容不是工作簿（可能是改了扩展名的文本或其他文件）")


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
        raise IntakeFailure("bad-password", "密码不正确或加密方式不受支持") from None
    return out.getvalue()


def open_book(source: Source, password: str | None = None) -> Book:
    """Open a Source as a Book (see module doc); raises IntakeFailure. `password` opens encrypted files."""
    kind, zf, data = preflight_data(source, password)
    import python_calamine as pc

    try:
        cal = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any reader failure is one "not a workbook"
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise IntakeFailure("encrypted")
        raise IntakeFailure("not-a-workbook", f"读取失败（{type(exc).__name__}）")
    try:
        metas = cal.sheets_metadata
        names = [m.name for m in metas]
        hidden = {m.name for m in metas if str(m.visible).rsplit(".", 1)[-1] != "Visible"}
    except Exception:  # noqa: BLE001
        names, hidden = list(cal.sheet_names), set()
    paths: dict[str, str] = {}
    if kind == "xlsx":
        try:
            paths = sheet_parts(zf)
        except Exception:  # noqa: BLE001 - no formula information then; values still read
            paths = {}
    return Book(source, kind, names, hidden, cal, zf, paths)


# ---------------------------------------------------------------------------------------------------
# XML readers (defusedxml: no entity expansion, no external references)
# ---------------------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _iterparse(stream, events=("end",)):
    from defusedxml.ElementTree import iterparse

    return iterparse(stream, events=events)


def _xml_text(zf: zipfile.ZipFile, member: str, local_name: str) -> str:
    with zf.open(member) as f:
        for _, el in _iterparse(f):
            if _local(el.tag) == local_name:
                return (el.text or "").strip()
    return ""


def _parse_time(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if t.tzinfo is not None:
        t = t.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return t


_CELL_RE = re.compile(r"^([A-Z]{1,3})(\d+)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_FCELL_RE = re.compile(
    rb'<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)\s*(<(?:\w+:)?v\b[^>]*>[^<])?')
_ATTR_RE = re.compile(rb'\b(r|t|si)="([^"]*)"')
_CELL_WITHOUT_REF = re.compile(rb'<(?:\w+:)?c(?:\s(?![^>]*\br=)[^>]*)?/?>')


def _xlsx_formulas(zf: zipfile.ZipFile, member: str, data: bytes | None = None) -> dict[tuple[int, int], Formula]:
    """Formulas of a worksheet part. A regex over the bytes (no entity is ever expanded, and it is ~10×
    faster than a tree walk); the iterparse reader is the fallback for writers that omit cell refs."""
    if data is None:
        data = zf.read(member)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("DTD in a worksheet part")
    # the quick checks find every cell tag the full pattern could match (a plain <c> without r= first, or a
    # namespaced one); only then is the slower full pattern run
    if (_CELL_NO_REF_QUICK.search(data) is not None or _NS_CELL.search(data) is not None) \
            and _CELL_WITHOUT_REF.search(data):
        return _xlsx_formulas_tree(zf, member)
    out: dict[tuple[int, int], Formula] = {}
    shared: dict[bytes, tuple[str, int, int]] = {}
    for m in _formula_cells(data):
        c_attrs = dict(_ATTR_RE.findall(m.group(1)))
        f_attrs = dict(_ATTR_RE.findall(m.group(2)))
        ref = _CELL_RE.match(c_attrs.get(b"r", b"").decode("ascii", "replace"))
        if not ref:
            return _xlsx_formulas_tree(zf, member)
        row_i, col_i = int(ref.group(2)) - 1, col_index(ref.group(1))
        text = _unescape(m.group(3).decode("utf-8")) if m.group(3) else ""
        si = f_attrs.get(b"si")
        if f_attrs.get(b"t") == b"shared" and si is not None:
            if text:
                shared[si] = (text, row_i, col_i)
            elif si in shared:
                mt, mr, mc = shared[si]
                text = shift_formula(mt, row_i - mr, col_i - mc)
        out[(row_i, col_i)] = Formula(text.lstrip("="), m.group(4) is not None)
    return out


_UNCLOSED_TAG = re.compile(rb'<[^>]*<')  # a "<" before the previous tag closed (in a value, comment, CDATA)
_CELL_NO_REF_QUICK = re.compile(rb'<c(?:\s(?!r=)|[>/])')
_NS_CELL = re.compile(rb'<\w+:c[\s/>]')
_F_START = re.compile(rb'<f\b')
_NS_F = re.compile(rb':f\b')


def _formula_cells(data: bytes) -> Iterator[re.Match]:
    """The matches of _FCELL_RE over `data`, in order. Searching the rare "<f" and matching the cell tag
    just before it is ~10x faster than trying the pattern at every cell; it gives the same matches when
    every tag closes before the next "<" and no formula tag is namespaced, else the full scan runs."""
    if _NS_F.search(data) is not None or _UNCLOSED_TAG.search(data) is not None:
        yield from _FCELL_RE.finditer(data)
        return
    rfind, match = data.rfind, _FCELL_RE.match
    for fm in _F_START.finditer(data):
        j = rfind(b"<", 0, fm.start())
        m = match(data, j) if j >= 0 else None
        if m is not None:
            yield m


_BUILTIN_PERCENT_FMTS = frozenset({9, 10})  # 0% and 0.00%
_FMT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escaped chars, [colour]/[condition]


def _is_percent_code(code: str) -> bool:
    # a "%" inside quotes or escaped is shown as is and does not scale the value
    return "%" in _FMT_LITERALS.sub("", code)


_NUMFMT_RE = re.compile(rb'<(?:\w+:)?numFmt\s([^>]*)>')
_CELLXFS_RE = re.compile(rb'<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>', re.S)
_XF_RE = re.compile(rb'<(?:\w+:)?xf\b([^>]*)>')
_FMT_ATTR_RE = re.compile(rb'\b(numFmtId|formatCode)="([^"]*)"')


def _xlsx_percent_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Indices of xl/styles.xml cellXfs (the `s` of a cell) whose number format is a percent. A regex over
    the bytes like the formula reader (pre-flight has refused any DTD/entity, and it is ~5× faster)."""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return frozenset()
    custom: dict[int, bool] = {}
    for m in _NUMFMT_RE.finditer(data):
        attrs = dict(_FMT_ATTR_RE.findall(m.group(1)))
        fid = attrs.get(b"numFmtId", b"")
        if fid.isdigit():
            custom[int(fid)] = _is_percent_code(_unescape(attrs.get(b"formatCode", b"").decode("utf-8", "replace")))
    xfs = _CELLXFS_RE.search(data)
    out: set[int] = set()
    for i, m in enumerate(_XF_RE.finditer(xfs.group(1)) if xfs else ()):
        fid = dict(_FMT_ATTR_RE.findall(m.group(1))).get(b"numFmtId", b"0")
        n = int(fid) if fid.isdigit() else 0
        if custom.get(n, n in _BUILTIN_PERCENT_FMTS):
            out.add(i)
    return frozenset(out)


def _xlsx_styled_cells(data: bytes, styles: frozenset[int], cols: set[int]) -> set[tuple[int, int]]:
    """(row, col) of the cells of `cols` whose style index is in `styles` (cells without r are skipped:
    the writers that omit it do not write percent formats into our templates)."""
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    pattern = re.compile(rb'<(?:\w+:)?c\s([^>]*?\bs="(?:' + ids + rb')"[^>]*)>')  # re caches compiled patterns
    out: set[tuple[int, int]] = set()
    clean = _UNCLOSED_TAG.search(data) is None
    if clean:
        # Commonest: every such attribute sits in a cell tag of the plain form <c r="…" s="…"( t="…")>,
        # which then holds no other attribute: one scan of that form finds them all, refs included.
        plain = re.findall(rb'<c r="([A-Z]{1,3})(\d+)" s="(?:' + ids + rb')"(?: t="[a-zA-Z]+")?/?>', data)
        if len(plain) == len(re.findall(rb's="(?:' + ids + rb')"', data)):
            for letters, digits in plain:
                col_i = col_index(letters.decode("ascii"))
                if col_i in cols:
                    out.add((int(digits) - 1, col_i))
            return out
    for m in _styled_cell_tags(data, pattern, ids, clean):
        r = dict(_ATTR_RE.findall(m.group(1))).get(b"r")
        ref = _CELL_RE.match(r.decode("ascii", "replace")) if r else None
        if ref:
            col_i = col_index(ref.group(1))
            if col_i in cols:
                out.add((int(ref.group(2)) - 1, col_i))
    return out


def _styled_cell_tags(data: bytes, pattern: re.Pattern, ids: bytes, clean: bool) -> Iterable[re.Match]:
    """The matches of `pattern` (a cell tag with one of the style ids) over `data`. When every tag closes
    before the next "<", each such tag is the last "<" before one of its s="…" attributes: searching the
    literal attribute and matching only those tags finds the same set, ~5x faster than the full scan."""
    if not clean:
        return pattern.finditer(data)
    rfind, match = data.rfind, pattern.match
    seen: set[int] = set()
    out = []
    for sm in re.finditer(rb's="(?:' + ids + rb')"', data):
        j = rfind(b"<", 0, sm.start())
        if j < 0 or j in seen:
            continue
        seen.add(j)
        m = match(data, j)
        if m is not None:
            out.append(m)
    return out


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    if "&#" in text:
        # openpyxl writes every non-ASCII character of a formula as &#NNNNN;. When each "&" starts a
        # well-formed XML reference, replacing the references one by one (each decoded once, cached)
        # gives exactly what html.unescape gives for the whole text, about 4× faster.
        if _BAD_AMP.search(text) is None:  # one search, not findall + count
            return _XML_REF.sub(_xml_ref_text, text)
        import html

        return html.unescape(text)
    return (text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")
            .replace("&amp;", "&"))


_XML_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|quot|lt|gt|apos|amp);")
_XML_REF_CACHE: dict[str, str] = {}
_XML_REF_BODY = r"(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|quot|lt|gt|apos|amp);"
_BAD_AMP = re.compile(r"&(?!" + _XML_REF_BODY + ")")  # an "&" that does not start a well-formed reference


def _xml_ref_text(m: re.Match) -> str:
    ref = m.group(0)
    out = _XML_REF_CACHE.get(ref)
    if out is None:
        import html

        out = html.unescape(ref)
        if len(_XML_REF_CACHE) < 65536:  # bounded: hostile files could carry many distinct references
            _XML_REF_CACHE[ref] = out
    return out


def _xlsx_formulas_tree(zf: zipfile.ZipFile, member: str) -> dict[tuple[int, int], Formula]:
    out: dict[tuple[int, int], Formula] = {}
    shared: dict[str, tuple[str, int, int]] = {}  # si → (master text, row, col)
    row_i, col_i = -1, -1
    f_el = None
    has_v = False
    with zf.open(member) as stream:
        for event, el in _iterparse(stream, events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag == "row":
                    r = el.get("r")
                    row_i = int(r) - 1 if r and r.isdigit() else row_i + 1
                    col_i = -1
                elif tag == "c":
                    ref = el.get("r")
                    m = _CELL_RE.match(ref or "")
                    if m:
                        row_i, col_i = int(m.group(2)) - 1, col_index(m.group(1))
                    else:
                        col_i += 1  # cells may omit r: their place is their order
                    f_el, has_v = None, False
                continue
            if tag == "f":
                f_el = (el.text or "", el.get("t"), el.get("si"))
            elif tag == "v":
                has_v = bool(el.text)
            elif tag == "c":
                if f_el is not None:
                    text, kind, si = f_el
                    if kind == "shared" and si is not None:
                        if text:
                            shared[si] = (text, row_i, col_i)
                        elif si in shared:
                            mt, mr, mc = shared[si]
                            text = shift_formula(mt, row_i - mr, col_i - mc)
                    out[(row_i, col_i)] = Formula(text.lstrip("="), has_v)
                el.clear()
            elif tag in ("row", "sheetData"):
                el.clear()
    return out


_REF_RE = re.compile(r'"[^"]*"|(?<![A-Za-z_\d.\]])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])')


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """Move the relative references of a formula by (drow, dcol), as Excel's shared formulas mean."""
    from xlsxwriter.utility import xl_col_to_name

    def sub(m: re.Match) -> str:
        if m.group(2) is None:
            return m.group(0)  # a string literal
        cabs, col, rabs, row = m.groups()
        c = col if cabs else xl_col_to_name(col_index(col) + dcol)
        r = row if rabs else str(int(row) + drow)
        return f"{cabs}{c}{rabs}{r}"

    return _REF_RE.sub(sub, text)


_ODS_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_formulas(zf: zipfile.ZipFile, sheet: str) -> dict[tuple[int, int], Formula]:
    t = "{%s}" % _ODS_NS_TABLE
    out: dict[tuple[int, int], Formula] = {}
    inside = False
    row_i, col_i = -1, 0
    with zf.open("content.xml") as stream:
        for event, el in _iterparse(stream, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == t + "table":
                    inside = el.get(t + "name") == sheet
                    row_i = -1
                elif inside and tag == t + "table-row":
                    row_i += 1
                    col_i = 0
                continue
            if not inside:
                if tag == t + "table-row":
                    el.clear()
                continue
            if tag in (t + "table-cell", t + "covered-table-cell"):
                formula = el.get(t + "formula")
                if formula:
                    has_v = el.get("{%s}value-type" % _ODS_NS_OFFICE) is not None
                    out[(row_i, col_i)] = Formula(normalize_ods_formula(formula), has_v)
                col_i += int(el.get(t + "number-columns-repeated", "1") or 1)
            elif tag == t + "table-row":
                row_i += int(el.get(t + "number-rows-repeated", "1") or 1) - 1
                el.clear()
            elif tag == t + "table":
                break
    return out


def normalize_ods_formula(text: str) -> str:
    """ODF "of:=IF([.I4]<>0;…)" → Excel "IF(I4<>0,…)" (string literals kept)."""
    if ":" in text.split("=", 1)[0]:
        text = text.split(":", 1)[1]
    text = text.lstrip("=")
    parts = re.split(r'("[^"]*")', text)
    for i in range(0, len(parts), 2):
        p = re.sub(r"\[\$?[^\]]*?\.(\$?[A-Z]+\$?\d+)(?::\.(\$?[A-Z]+\$?\d+))?\]",
                   lambda m: m.group(1) + (":" + m.group(2) if m.group(2) else ""), parts[i])
        parts[i] = p.replace(";", ",")
    return "".join(parts)
