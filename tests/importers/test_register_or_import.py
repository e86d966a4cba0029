"""register_or_import: what import-compilation and reproduce_002 take as the register — a register file as it
is, any other file imported as a decomposition."""
from __future__ import annotations

import pytest

from tests.builders import make_register
from tests.conftest import SEED_000
from xltasks.core.errors import InputError
from xltasks.core.register_io import write_register
from xltasks.importers import import_paths, register_or_import


def test_a_register_file_is_read_as_it_is(tmp_path):
    reg = make_register()
    for name in ("register.xlsx", "register.json"):
        write_register(reg, tmp_path / name)
        got = register_or_import(tmp_path / name)
        assert [(t.id, t.units) for t in got.tasks] == [(t.id, t.units) for t in reg.tasks]


def test_a_decomposition_is_imported():
    got = register_or_import(SEED_000)
    assert [(t.id, t.units) for t in got.tasks] == [(t.id, t.units) for t in import_paths([SEED_000]).tasks]
    assert len(got.tasks) == 216


def test_a_missing_file_names_itself(tmp_path):
    for name in ("nope.txt", "nope.xlsx", "nope.json"):
        with pytest.raises(InputError, match="找不到任务台账文件") as e:
            register_or_import(tmp_path / name)
        assert name in str(e.value)
