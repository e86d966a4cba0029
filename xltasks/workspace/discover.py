"""Where a workspace is: its config file's name and the walk up from a folder (like git). Kept apart from
config.py so that every command can ask "am I in a workspace?" without loading the workspace package."""
from __future__ import annotations

from pathlib import Path

CONFIG_NAME = "xltasks.toml"


def workspace_root(start: str | Path | None = None) -> Path | None:
    """The folder at or above `start` (default: the current folder) holding xltasks.toml, or None."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None
