"""xltasks: the 督查 cycle of a government work report, from the decomposition to the 完成情况汇编.

    import_paths → Register → make_templates → (units fill in) → collect → Progress → compile_workbook

The public API is importable from here (`from xltasks import collect`); each name is loaded on first use
(module __getattr__), so `import xltasks` and the command line's start-up stay light.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name → module that defines it
_EXPORTS = {
    # import
    "import_paths": "xltasks.importers",
    "parse_text": "xltasks.importers",
    # the register and the progress register on disk
    "load_register": "xltasks.core.register_io",
    "write_register": "xltasks.core.register_io",
    "read_progress": "xltasks.core.progress_io",
    "write_progress": "xltasks.core.progress_io",
    "load_directory": "xltasks.core.directory",
    # templates
    "make_templates": "xltasks.issuing.templates",
    "fill_template": "xltasks.issuing.fill",
    "Entry": "xltasks.issuing.fill",
    # collect
    "collect": "xltasks.collecting.merge",
    "progress_frame": "xltasks.collecting.merge",
    # compile
    "compile_workbook": "xltasks.compiling.writer",
    "load_rules": "xltasks.compiling.rules",
    "read_compilation": "xltasks.compiling.reader",
    # the data passed between stages
    "Register": "xltasks.core.models",
    "Task": "xltasks.core.models",
    "Unit": "xltasks.core.models",
    "Progress": "xltasks.core.models",
    "ProgressRow": "xltasks.core.models",
    "Problem": "xltasks.core.models",
    "TemplateRun": "xltasks.core.results",
    "FileResult": "xltasks.core.results",
    "UnitStatus": "xltasks.core.results",
    "CollectResult": "xltasks.core.results",
    "CompileResult": "xltasks.core.results",
    "FileStatus": "xltasks.core.statuses",
    "SubmissionStatus": "xltasks.core.statuses",
    "TaskStatus": "xltasks.core.statuses",
    # errors
    "XltasksError": "xltasks.core.errors",
    "InputError": "xltasks.core.errors",
    "NotADecomposition": "xltasks.core.errors",
    "ReturnedFileError": "xltasks.core.errors",
    "OutputError": "xltasks.core.errors",
    "UsageError": "xltasks.core.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xltasks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
