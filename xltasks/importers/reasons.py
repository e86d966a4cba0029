"""Chinese reasons for the exceptions that file-reading libraries raise on a broken or foreign file.

The error line reads "无法打开表格文件: <reason>"; office staff should not have to read calamine's or zipfile's
English to learn that a file is damaged or of another type.
"""
from __future__ import annotations

# (substring of the library's message, reason shown instead); the first match wins.
_KNOWN = (
    ("Cannot detect file format", "无法识别文件格式（文件扩展名与内容不符，或不是表格文件）"),
    ("File is not a zip file", "文件已损坏，或不是 Office 文档（内容不是有效的 zip 压缩包）"),
    ("invalid Zip archive", "文件已损坏，或不是 Office 文档（内容不是有效的 zip 压缩包）"),
    ("Package not found", "文件已损坏，或不是 Word 文档（.docx）"),
    ("Invalid OLE", "文件已损坏，或不是 Excel 97-2003 文档（.xls）"),
    ("Cfb error", "文件已损坏，或不是 Excel 97-2003 文档（.xls）"),
    ("EOF marker not found", "文件不完整或已损坏"),
    ("Stream has ended unexpectedly", "文件不完整或已损坏"),
    ("password", "文件已加密，请提供未加密的文件"),
)


def reason(exc: BaseException) -> str:
    """A Chinese reason for exc where it is a common one, otherwise the library's own text."""
    if isinstance(exc, UnicodeDecodeError):
        return "文件编码无法识别（文本应为 UTF-8 或 GB18030 编码）"
    text = str(exc)
    for needle, zh in _KNOWN:
        if needle.lower() in text.lower():
            return zh
    return text or type(exc).__name__
