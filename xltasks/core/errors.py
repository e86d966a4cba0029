"""Errors the library raises for the CLI to show as one line (click: a failed job exits 1)."""
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


class NotADecomposition(XltasksError):
    """The file holds no task list in any known layout."""
