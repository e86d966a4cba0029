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
