"""Which cells of an .xls (BIFF8) carry a percent number format: calamine gives values only, and "60%" in an
.xls is the value 0.6 exactly as in an .xlsx, where sheet_xml reads the format from the styles. The Workbook
stream is read through olefile (already a dependency of msoffcrypto-tool) and walked record by record:
FORMAT and XF in the globals, BOUNDSHEET for each sheet's offset, then the sheet's NUMBER / RK / MULRK /
FORMULA records with their XF index. Anything unexpected gives no cells: the scale checks still apply.
"""
from __future__ import annotations

import io
import struct

from .percent_formats import _BUILTIN_PERCENT_FMTS, _is_percent_code

_EOF, _FORMAT, _XF, _BOUNDSHEET = 0x000A, 0x041E, 0x00E0, 0x0085
_NUMBER, _RK, _MULRK, _FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006


def _records(buf: bytes, at: int):
    while at + 4 <= len(buf):
        kind, size = struct.unpack_from("<HH", buf, at)
        yield kind, buf[at + 4:at + 4 + size]
        if kind == _EOF:
            return
        at += 4 + size


def _unicode(data: bytes, at: int, count: int) -> str:
    wide = data[at] & 1
    raw = data[at + 1:at + 1 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def xls_percent_cells(data: bytes, sheet: str, cols: set[int]) -> set[tuple[int, int]]:
    """0-based (row, col) of the cells of `cols` in sheet `sheet` whose format is a percent."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("Workbook"):
                return set()
            buf = ole.openstream("Workbook").read()
        custom: dict[int, bool] = {}
        xf_formats: list[int] = []
        offsets: dict[str, int] = {}
        for kind, rec in _records(buf, 0):
            if kind == _FORMAT and len(rec) >= 5:
                (ifmt, cch) = struct.unpack_from("<HH", rec, 0)
                custom[ifmt] = _is_percent_code(_unicode(rec, 4, cch))
            elif kind == _XF and len(rec) >= 4:
                xf_formats.append(struct.unpack_from("<H", rec, 2)[0])
            elif kind == _BOUNDSHEET and len(rec) >= 8:
                pos = struct.unpack_from("<I", rec, 0)[0]
                offsets[_unicode(rec, 7, rec[6])] = pos
        percent_xf = {i for i, f in enumerate(xf_formats) if custom.get(f, f in _BUILTIN_PERCENT_FMTS)}
        if sheet not in offsets or not percent_xf:
            return set()
        out: set[tuple[int, int]] = set()
        for kind, rec in _records(buf, offsets[sheet]):
            if kind in (_NUMBER, _RK, _FORMULA) and len(rec) >= 6:
                row, col, xf = struct.unpack_from("<HHH", rec, 0)
                if col in cols and xf in percent_xf:
                    out.add((row, col))
            elif kind == _MULRK and len(rec) >= 12:
                row, first = struct.unpack_from("<HH", rec, 0)
                for i in range((len(rec) - 6) // 6):
                    xf = struct.unpack_from("<H", rec, 4 + 6 * i)[0]
                    if first + i in cols and xf in percent_xf:
                        out.add((row, first + i))
        return out
    except Exception:  # noqa: BLE001 - an odd or damaged stream tells no formats
        return set()
