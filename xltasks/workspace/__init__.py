"""The 督查 workspace: one year of supervision kept in a folder a person can browse.

    from xltasks.workspace import Workspace

    ws = Workspace.init("2021督查", title="2021年政府工作报告重点工作督查", year=2021)   # or .open(path) / .find()
    ws.import_sources(["分解通知.docx"])          # source/ + register.xlsx
    ws.issue("2021Q2")                           # 2021Q2/templates/ (rolled over, closed tasks left out)
    ws.record_file("2021Q2", "收到的.xlsx")       # 2021Q2/returns/ + the time it was received
    ws.collect("2021Q2")                         # merged.xlsx, report.xlsx/json; late returns marked
    ws.compile("2021Q2")                         # 汇编.xlsx (上期完成率, 趋势, 已销号, 逾期报送)
    ws.close_task("2021Q2", ["3.1"], reason="已全面完成")
    ws.status()                                  # [PeriodStatus] — where the year stands
    ws.trend("2021Q3")                           # [PeriodRates] — every compiled period's task and unit rates
    ws.write_bulletin("2021Q3")                  # 2021Q3/督查通报.docx

Modules: config (xltasks.toml), db (the SQLite database, versioned and migrated), workspace (the Workspace
class: paths, config, database), rounds (import, receive, issue, collect, compile), closures (销号), status,
trend, bulletin (the 督查通报). Every error is an XltasksError with one Chinese line naming the file.
"""
from __future__ import annotations

import importlib

# Loaded on first use (PEP 562): every command asks whether it runs inside a workspace (discover.py), and
# outside one nothing more of this package is needed.
_HOMES = {"CONFIG_NAME": "discover", "Config": "config", "Period": "config", "DB_NAME": "db",
          "SCHEMA_VERSION": "db", "Workspace": "workspace"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:  # the lazy names too, as `xltasks` itself lists them (completion, help())
    return sorted({*globals(), *_HOMES})


__all__ = ["CONFIG_NAME", "DB_NAME", "SCHEMA_VERSION", "Config", "Period", "Workspace"]
