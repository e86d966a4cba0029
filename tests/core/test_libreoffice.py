"""Which LibreOffice modules are installed: a machine with Calc but not Writer must skip Word conversions."""
from __future__ import annotations

from xltasks.core.libreoffice import has_component


def _install(tmp_path, *libraries):
    program = tmp_path / "program"
    program.mkdir()
    (program / "soffice").write_text("#!/bin/sh\n")
    for name in libraries:
        (program / name).write_bytes(b"")
    return str(program / "soffice")


def test_calc_without_writer_is_told_apart(tmp_path):
    soffice = _install(tmp_path, "libsclo.so")
    assert has_component(soffice, "calc")
    assert not has_component(soffice, "writer")


def test_writer_found_beside_the_binary(tmp_path):
    soffice = _install(tmp_path, "libsclo.so", "libswlo.so")
    assert has_component(soffice, "writer")


def test_a_linked_binary_is_followed_to_its_program_folder(tmp_path):
    real = _install(tmp_path, "libswlo.so")
    link = tmp_path / "bin-soffice"
    link.symlink_to(real)
    assert has_component(str(link), "writer")
    assert not has_component(str(link), "calc")
