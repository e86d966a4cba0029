"""Commands inside a workspace: the path options a workspace already knows become optional.

Inside a workspace (found from the current folder by walking up, like git) `xltasks templates 2021Q3`,
`collect 2021Q3`, `compile 2021Q3`, `remind 2021Q3` and `import 分解通知.docx` need no path option; an option
given still wins. Outside a workspace every option required before is required still, with click's own message
(`required_outside`), so today's commands behave exactly as they did.
"""
from __future__ import annotations

import click


def current_workspace(ctx: click.Context):
    """The workspace holding the current folder (opened once per command), or None."""
    root = ctx.find_root()
    if "xltasks.workspace" not in root.meta:
        from ..workspace.discover import workspace_root

        folder = workspace_root()  # the workspace package is loaded only inside a workspace
        if folder is None:
            root.meta["xltasks.workspace"] = None
            return None
        from ..workspace import Workspace

        root.meta["xltasks.workspace"] = Workspace.open(folder)
        root.call_on_close(root.meta["xltasks.workspace"].close)
    return root.meta["xltasks.workspace"]


def required_outside(ctx: click.Context, *names: str) -> None:
    """Outside a workspace: the parameters `names` are required, reported as click reports a missing one."""
    for name in names:
        if ctx.params.get(name) in (None, ()):
            param = next(p for p in ctx.command.params if p.name == name)
            raise click.MissingParameter(ctx=ctx, param=param)


def period_from_argument(ws, first: str | None, period: str | None) -> tuple[str | None, bool]:
    """(period, whether the positional argument was the period): inside a workspace `xltasks compile 2021Q3`
    names the period where the command's positional argument used to be a path."""
    if ws is None or not first:
        return period, False
    try:
        named = ws.period(str(first)).name
    except Exception:  # noqa: BLE001 - not a period name: the argument is the path it always was
        if period:
            return period, False
        from pathlib import Path

        from ..core.layout import parse_period

        if parse_period(str(first)) is not None and not Path(first).exists():
            raise  # written as a period (2022Q1) and no such file: say the workspace has no such period
        return period, False
    if period:
        from ..core.layout import same_period

        if not same_period(named, period):  # `collect 2021Q3 --period 2021Q2`: which one was meant?
            raise click.UsageError(f"期次给了两个：{first} 和 --period {period}，请只给一个")
    return named, True


def check_path(ctx: click.Context, name: str, value, path_type: click.Path) -> None:
    """Click's own check of a path argument (exists, file or folder), made by the command once it knows the
    argument is a path and not a period name — the same message as before workspaces."""
    if value is not None:
        param = next(p for p in ctx.command.params if p.name == name)
        path_type.convert(value, param, ctx)


def need_period(ws, period: str | None) -> str:
    if not period:
        names = "、".join(p.name for p in ws.config.periods)
        raise click.UsageError(f"请给出期次，如 {ws.config.periods[0].name}（本工作区的期次：{names}）")
    return ws.period(period).name
