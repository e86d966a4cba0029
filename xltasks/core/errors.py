"""The one exception hierarchy of xltasks (XlsxWriter style: a base class, one subclass per kind of failure).

    XltasksError                 anything the library refuses; the message names the file and place
    ├── InputError               an input file we were given cannot be used (decomposition, register,
    │   └── NotADecomposition    progress register, units directory, rule set, report.json, old 汇编)
    ├── ReturnedFileError        a unit's returned file cannot be opened as a workbook: carries a problem
    │                            code of problems.py; collect reports it on that file and goes on
    ├── OutputError              an output cannot be written
    └── UsageError               the call itself is wrong (arguments, options)

The CLI shows any of them as one line `Error: <file>:<place>: …`; a failed job exits 1, a UsageError 2.
"""
from __future__ import annotations


class XltasksError(Exception):
    """A job that cannot be done, with a message naming the file and place."""

    def __init__(self, message: str, *, file: str = "", where: str = ""):
        self.file = file
        self.where = where
        prefix = ""
        if file:
            prefix = f"{file}{':' + where if where else ''}: "
        super().__init__(prefix + message)


class InputError(XltasksError):
    """An input file cannot be used: missing, unreadable, or not what the job needs."""


class NotADecomposition(InputError):
    """The file holds no task list in any known layout."""


class ReturnedFileError(XltasksError):
    """A returned file that cannot be opened as a workbook: `code` is a problems.py code, `reason` Chinese
    text; `sheet`/`cell` name the place when there is one (a value far outside the template's area)."""

    def __init__(self, code: str, reason: str = "", sheet: str = "", cell: str = ""):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.sheet = sheet
        self.cell = cell


class OutputError(XltasksError):
    """An output file or folder cannot be written."""


class UsageError(XltasksError, ValueError):
    """The arguments of the call are wrong (the CLI exits 2, as for bad options). Also a ValueError, which
    is what Python code expects of a wrong argument."""
