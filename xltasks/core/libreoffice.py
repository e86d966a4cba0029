"""LibreOffice headless: recalculate a workbook, or convert it (xlsx/ods/pdf).

Used by `--pdf` and by the tests that check our cached formula values against what a real
spreadsheet application computes. Each call gets its own user profile so calls can run side by side.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import XltasksError


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    for path in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                 "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(path):
            return path
    return None


# The library of each LibreOffice module, by platform: Debian ships Calc and Writer as separate packages, so a
# machine can convert spreadsheets and still fail on a Word document ("source file could not be loaded").
_COMPONENT_LIBRARIES = {"calc": ("libsclo.so", "sclo.dll", "libsclo.dylib"),
                        "writer": ("libswlo.so", "swlo.dll", "libswlo.dylib")}


def has_component(soffice: str, component: str) -> bool:
    """Whether this LibreOffice has the module ("calc" or "writer") installed beside its binary."""
    program = Path(os.path.realpath(soffice)).parent
    candidates = [program, program.parent / "Frameworks", program.parent / "program"]
    return any((d / lib).exists() for d in candidates for lib in _COMPONENT_LIBRARIES[component])


# LibreOffice by default trusts the cached values of an xlsx ("never recalculate"); a check of our
# cached values against LibreOffice's own must force a full recalculation on load.
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _write_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")


_TEXT_DOCUMENTS = (".docx", ".doc", ".odt", ".rtf")


def convert(src: str | Path, out_dir: str | Path, to: str, *, timeout: int = 180) -> Path:
    """Convert `src` with LibreOffice headless (`to`: "xlsx", "ods", "pdf", "xls"…); returns the new file.

    Converting to xlsx or ods loads the file, recalculates every formula (hard recalc) and saves, so the
    result's cached values are LibreOffice's own.
    """
    soffice = find_soffice()
    if not soffice:
        raise XltasksError("未找到 LibreOffice (soffice)，无法转换；请安装 libreoffice-calc", file=str(src))
    src = Path(src).resolve()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "ods": "ods", "pdf": "pdf:calc_pdf_Export",
               "xls": "xls:MS Excel 97"}
    target = filters.get(to, to)
    if to == "pdf" and src.suffix.lower() in _TEXT_DOCUMENTS:
        target = "pdf:writer_pdf_Export"  # a Word document prints through Writer; Calc cannot load it
    with tempfile.TemporaryDirectory(prefix="xltasks-lo-") as profile:
        _write_profile(Path(profile))
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", target, "--outdir", str(out_dir), str(src)]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise XltasksError(f"LibreOffice 转换超时（{timeout} 秒）", file=str(src))
    result = out_dir / (src.stem + "." + to)
    if proc.returncode != 0 or not result.exists():
        raise XltasksError(f"LibreOffice 转换失败: {proc.stderr.strip() or proc.stdout.strip()}", file=str(src))
    return result


def recalculate(src: str | Path, out_dir: str | Path) -> Path:
    """A copy of `src` recalculated by LibreOffice (every formula, on load) and saved as xlsx."""
    return convert(src, out_dir, "xlsx")
