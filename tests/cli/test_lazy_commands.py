"""The CLI imports a command's module only when that command runs: `xltasks collect` never loads the
importers or the 汇编 writer."""
from __future__ import annotations

import importlib
import subprocess
import sys

from click.testing import CliRunner

from xltasks import cli


def test_the_command_table_names_every_command_of_every_module():
    found = {}
    for name in cli._COMMAND_MODULES:
        module = importlib.import_module(f"xltasks.cli.{name}")
        for command in module.COMMANDS:
            found[command.name] = name
    assert found == cli.COMMAND_MODULE
    assert set(cli.main.commands) == set(cli.COMMAND_MODULE)


def test_collect_loads_only_its_own_stage():
    code = ("import sys; from xltasks.cli import main\n"
            "try:\n    main(['collect', '--help'], prog_name='xltasks')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('xltasks.importers', 'xltasks.compiling.writer', 'openpyxl', 'pandas')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "xltasks collect" in out and out.strip().splitlines()[-1] == "[]"


def test_top_level_help_lists_every_command():
    shown = CliRunner().invoke(cli.main, ["--help"]).output
    for name in cli.COMMAND_MODULE:
        assert f"  {name} " in shown, name


def test_outside_a_workspace_the_workspace_package_stays_unloaded(tmp_path):
    # every command asks "am I in a workspace?" (workspace/discover.py); only inside one is the rest loaded
    code = ("import sys; from xltasks.cli import main\n"
            "try:\n    main(['templates', 'nothere.json', '-o', 't', '--period', '2021Q3'], prog_name='xltasks')\n"
            "except SystemExit as e:\n    print('exit', e.code)\n"
            "print(sorted(m for m in sys.modules if m.startswith('xltasks.workspace') or m in ('sqlite3', 'tomllib')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert run.stderr == "Error: nothere.json: 找不到任务台账文件\n"
    assert run.stdout.splitlines() == ["exit 1", "['xltasks.workspace', 'xltasks.workspace.discover']"]
    (tmp_path / "xltasks.toml").write_text('title = "督查"\nyear = 2021\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "'xltasks.workspace.workspace'" in run.stdout.splitlines()[-1]


def test_the_workspace_package_lists_its_lazy_names():
    import xltasks.workspace as ws

    assert {"Workspace", "Config", "Period", "CONFIG_NAME", "DB_NAME", "SCHEMA_VERSION"} <= set(dir(ws))
    assert ws.Workspace.__module__ == "xltasks.workspace.workspace"
