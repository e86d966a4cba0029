"""An untrusted zip container (xlsx, ods) checked before any reader parses it, and inflated only once.

- `check_declared_sizes`: no member inflates past the size its header declares (a bomb with a lying header);
- `check_xml_prologs`: no XML member declares a DOCTYPE or entities (billion laughs, XXE);
- `InflatedZip`: the members the prolog check inflated whole are read again from memory by every reader
  after it (formulas, number formats, sheet parts, saved time), so no member is inflated twice.
Both checks raise core.errors.ReturnedFileError (too-large, xml-dtd, not-a-workbook); intake.preflight runs them.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib

from ..core.errors import ReturnedFileError

_DEFLATE_MAX_RATIO = 1032
_LOCAL_HEADER = 30


def check_declared_sizes(data: bytes, infos: list[zipfile.ZipInfo], max_total_bytes: int) -> None:
    """Refuse members whose data inflates past their declared size (a bomb with a lying header): the
    readers trust the central directory's sizes only as far as Python's zipfile does, the Rust one not at all."""
    if sum(i.compress_size for i in infos) * _DEFLATE_MAX_RATIO <= max_total_bytes:
        return
    for i in infos:
        if i.compress_type == zipfile.ZIP_STORED:
            if i.compress_size != i.file_size:
                raise ReturnedFileError("too-large", f"成员“{i.filename}”大小与声明不符")
            continue
        if i.compress_type != zipfile.ZIP_DEFLATED:
            raise ReturnedFileError("not-a-workbook", f"成员“{i.filename}”使用了工作簿不会使用的压缩方式")
        h = i.header_offset
        head = data[h:h + _LOCAL_HEADER]
        if len(head) < _LOCAL_HEADER or head[:4] != b"PK\x03\x04":
            raise ReturnedFileError("not-a-workbook", "压缩结构已损坏（文件可能未完整传输）")
        start = h + _LOCAL_HEADER + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
        buf = data[start:start + i.compress_size]
        d = zlib.decompressobj(-15)
        out = 0
        while buf:
            out += len(d.decompress(buf, 1 << 20))
            if out > i.file_size:
                raise ReturnedFileError("too-large", f"成员“{i.filename}”解压后超过其声明的大小")
            buf = d.unconsumed_tail


_XML_MEMBER_EXTS = (".xml", ".rels", ".vml")
_PROLOG_BYTES = 64 * 1024
_XML_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)
_XML_ROOT = re.compile(rb"<[A-Za-z_]")


class InflatedZip(zipfile.ZipFile):
    """A zip whose XML members, once inflated whole by the pre-flight (up to INFLATE_WHOLE_BYTES each), are
    read again from memory by the readers after it (formulas, number formats, sheet parts, saved time)."""

    def __init__(self, file, *args, **kwargs):
        super().__init__(file, *args, **kwargs)
        self.inflated: dict[str, bytes] = {}

    def read(self, name, pwd=None):
        data = self.inflated.get(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return data if data is not None else super().read(name, pwd)

    def open(self, name, mode="r", pwd=None, **kwargs):
        data = self.inflated.get(name.filename if isinstance(name, zipfile.ZipInfo) else name) \
            if mode == "r" else None
        return io.BytesIO(data) if data is not None else super().open(name, mode, pwd, **kwargs)


INFLATE_WHOLE_BYTES = 8 * 1024 * 1024  # a larger XML member is only read up to its prolog here
INFLATE_TOTAL_BYTES = 64 * 1024 * 1024


def _member_head(zf: zipfile.ZipFile, i: zipfile.ZipInfo, budget: int) -> tuple[bytes, int]:
    """The first _PROLOG_BYTES of a member, and the budget left for keeping whole members in memory. A
    member within the budget is inflated whole once and kept (InflatedZip); a member that does not inflate
    whole (corrupt past its head) is left for the readers to report as before."""
    if isinstance(zf, InflatedZip) and i.file_size <= min(INFLATE_WHOLE_BYTES, budget):
        data = _inflate(zf, i)
        if data is None:
            try:
                data = zipfile.ZipFile.read(zf, i)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError,
                    RuntimeError):
                data = None
        if data is not None:
            zf.inflated[i.filename] = data
            return data[:_PROLOG_BYTES], budget - len(data)
    with zf.open(i) as f:
        return f.read(_PROLOG_BYTES), budget


def _inflate(zf: InflatedZip, i: zipfile.ZipInfo) -> bytes | None:
    """A deflated (or stored) member inflated straight from the archive's bytes, when its local header, its
    size and its CRC are what the directory says; None otherwise (zipfile then reads it, or reports why)."""
    raw = zf.fp.getvalue() if isinstance(zf.fp, io.BytesIO) else None
    if raw is None or i.flag_bits & 0x1 or i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    h = i.header_offset
    head = raw[h:h + _LOCAL_HEADER]
    if len(head) < _LOCAL_HEADER or head[:4] != b"PK\x03\x04":
        return None
    start = h + _LOCAL_HEADER + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
    buf = raw[start:start + i.compress_size]
    try:
        data = buf if i.compress_type == zipfile.ZIP_STORED else zlib.decompressobj(-15).decompress(buf, i.file_size + 1)
    except zlib.error:
        return None
    if len(data) != i.file_size or zlib.crc32(data) != i.CRC:
        return None
    return data


def _body(head: bytes) -> bytes:
    """`head` without its comments and processing instructions (_XML_SKIP). When its only one is the XML
    declaration it starts with, that is cut off directly: the same bytes without scanning the whole head."""
    if b"<!--" not in head:
        if b"<?" not in head:
            return head
        if head.startswith(b"<?") and head.count(b"<?") == 1:
            end = head.find(b"?>", 2)
            if end >= 0:
                return head[end + 2:]
    return _XML_SKIP.sub(b"", head)


def check_xml_prologs(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse any XML member that declares a DOCTYPE or entities (billion laughs, XXE): Office never writes
    one, and so no parser — ours, openpyxl's, calamine's — ever sees it. Only each member's head is looked at."""
    budget = INFLATE_TOTAL_BYTES
    for i in infos:
        if i.is_dir() or not i.filename.lower().endswith(_XML_MEMBER_EXTS):
            continue
        head, budget = _member_head(zf, i, budget)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", "ignore").encode("utf-8")
        if b"<!ENTITY" in head:
            raise ReturnedFileError("xml-dtd", i.filename)
        body = _body(head)
        m = _XML_ROOT.search(body)
        prolog = body[:m.start()] if m else body
        if b"<!DOCTYPE" in prolog or (m is None and len(head) >= _PROLOG_BYTES):
            raise ReturnedFileError("xml-dtd", i.filename)
