"""File helpers shared by every stage: hashing, atomic writes, text decoding."""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from .errors import OutputError


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename.

    A crash or Ctrl-C while writing leaves the old file (or none), never a half-written one; a full disk or a
    refused write is one clear XltasksError naming `target`. Inside `output_group()` the rename waits for the
    group. Temporaries that killed runs left beside `target` are removed first (`remove_stale_parts`).
    """
    target = Path(target)
    # A bad output path (a parent that is a file, no permission, a full disk) is the user's to fix:
    # one clear line naming it, not an internal error.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出目录 {target.parent}: {_os_reason(exc)}", file=str(target)) from None
    if target.is_dir():
        raise OutputError("无法写入: 同名的文件夹已存在", file=str(target))
    remove_stale_parts(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.{os.getpid()}-", suffix=target.suffix + ".part",
                                   dir=target.parent)
    except OSError as exc:
        raise OutputError(f"无法写入: {_os_reason(exc)}{_WHAT_TO_DO}", file=str(target)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
            os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
        except OSError as exc:  # the disk filled up, or the folder went away, while writing
            raise OutputError(f"写入中断: {_os_reason(exc)}{_WHAT_TO_DO}", file=str(target)) from None
        group = _GROUP.get()
        if group is not None:
            group.append((tmp_path, target))
            return
        try:
            os.replace(tmp_path, target)
        except OSError as exc:
            raise OutputError(f"无法写入: {_os_reason(exc)}{_WHAT_TO_DO}", file=str(target)) from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


_WHAT_TO_DO = "。请检查磁盘空间和文件夹的写入权限，或换一个输出位置后重试（未留下不完整的文件）"
_GROUP: contextvars.ContextVar[list | None] = contextvars.ContextVar("xltasks_output_group", default=None)


@contextlib.contextmanager
def output_group() -> Iterator[None]:
    """Outputs written (atomic_path) inside the block are moved into place together when it ends without an
    error, and none of them otherwise: a run that fails half-way leaves the previous outputs, not a mix."""
    pending: list[tuple[Path, Path]] = []
    token = _GROUP.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    finally:
        _GROUP.reset(token)
    for i, (tmp, target) in enumerate(pending):
        try:
            os.replace(tmp, target)
        except OSError as exc:
            for rest, _ in pending[i:]:
                with contextlib.suppress(OSError):
                    rest.unlink()
            raise OutputError(f"无法写入: {_os_reason(exc)}{_WHAT_TO_DO}", file=str(target)) from None


_PART = re.compile(r"^\..+\.(\d+)-[A-Za-z0-9_]{8}(\.[^.]*)?\.part$")
_OLD_PART = re.compile(r"^\..+\.[A-Za-z0-9_]{8}(\.[^.]*)?\.part$")  # written before the pid was in the name
STALE_PART_SECONDS = 24 * 3600


def remove_stale_parts(folder: str | Path) -> list[Path]:
    """Delete our temporaries (".name.<pid>-xxxxxxxx.xlsx.part") whose writing process is gone (killed runs);
    older unnamed ones after a day. Another run's live temporaries are left alone. Returns what was removed."""
    import time

    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.endswith(".part") or not name.startswith("."):
            continue
        m = _PART.match(name)
        try:
            if m:
                stale = not _process_alive(int(m.group(1)))
            elif _OLD_PART.match(name):
                stale = time.time() - entry.stat().st_mtime > STALE_PART_SECONDS
            else:
                continue
            if stale and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except (OSError, ValueError, OverflowError):
            continue
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else (or cannot tell): leave it
    return True


def _os_reason(exc: OSError) -> str:
    """The reason of an OSError in Chinese where it is a common one."""
    import errno

    reasons = {
        errno.EEXIST: "路径中有同名的文件（不是文件夹）",
        errno.ENOTDIR: "路径中有同名的文件（不是文件夹）",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "只读的磁盘或文件夹",
        errno.EISDIR: "同名的文件夹已存在",
        errno.ENAMETOOLONG: "文件名过长",
    }
    return reasons.get(exc.errno, exc.strerror or str(exc))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_notice(target: str | Path, text: str) -> None:
    """A text for people to open in Notepad/WPS: UTF-8 with BOM (else old Notepad shows mojibake), CRLF lines."""
    data = "\ufeff" + text.replace("\r\n", "\n").replace("\n", "\r\n")
    with atomic_path(target) as tmp:
        tmp.write_bytes(data.encode("utf-8"))


def atomic_write_with(target: str | Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp_path) and move the result into place."""
    with atomic_path(target) as tmp:
        write(tmp)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text document that is UTF-8 (with or without BOM) or GB18030. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "utf-8 (with replacement)"


SAFE_NAME_BYTES = 150  # a stem this long leaves room for "_下发通知.txt" and the temporary-file affixes


def safe_filename(name: str, max_len: int = 120, *, max_bytes: int = SAFE_NAME_BYTES) -> str:
    """A file name that Windows, macOS and Linux all accept (full-width characters kept).

    Linux and macOS allow 255 bytes per name and a CJK character takes 3 in UTF-8, so a long name is cut
    on a character boundary to `max_len` characters and `max_bytes` UTF-8 bytes, and then ends in "_" and 8
    hex digits of its hash: two long names that share their first 40 characters still get two files.
    """
    bad = '<>:"/\\|?*'
    out = "".join("_" if (c in bad or ord(c) < 32) else c for c in name).strip().rstrip(".")
    reserved = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
    if out.upper().split(".")[0] in reserved:
        out = "_" + out
    if len(out) > max_len or len(out.encode("utf-8")) > max_bytes:
        suffix = "_" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        room_bytes, room_chars = max(max_bytes - len(suffix), 1), max(max_len - len(suffix), 1)
        cut, size = [], 0
        for c in out[:room_chars]:
            size += len(c.encode("utf-8", "surrogatepass"))
            if size > room_bytes:
                break
            cut.append(c)
        out = "".join(cut).rstrip(" .") + suffix
    return out or "_"


def source_name(path: str | Path) -> str:
    """The name people know a returned file by: its last component, an archive member's own name
    ("returns/mail.zip::局/b.xlsx" → "b.xlsx"), Windows separators included."""
    return str(path).replace("::", "/").replace("\\", "/").rsplit("/", 1)[-1]
def check_writable(paths) -> None:
    """Before a long run: each output's folder can be made and written (an XltasksError naming the first
    that cannot), so a read-only or missing destination is said before any work, with nothing written."""
    folders: dict[Path, Path] = {}
    for p in paths:
        if p:
            folders.setdefault(Path(p).parent, Path(p))
    for folder, target in folders.items():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".xltasks-probe.", dir=folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise OutputError(f"无法写入输出文件夹 {folder}: {_os_reason(exc)}。请换一个可写的输出位置",
                               file=str(target)) from None
