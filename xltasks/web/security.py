"""Access: the office password (salted scrypt hash), form tokens against CSRF, sign-in throttling, and a
cap on request bodies enforced while they stream in (not after they were spooled to disk)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

# scrypt cost: ~50 ms per check on this machine; the parameters are stored with the hash, so they can grow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not password:
        return False
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(digest) // 2)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def password_problem(password: str, again: str) -> str:
    """Why a new password is refused (Chinese), or ""."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if password != again:
        return "两次输入的密码不一致"
    return ""


# --- form tokens (CSRF) ---------------------------------------------------------------------------------

def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def unit_form_token(secret: str, link_token: str) -> str:
    """The form token of a unit's page: bound to its link (a unit page has no session)."""
    return hmac.new(secret.encode(), b"unit-form:" + link_token.encode(), hashlib.sha256).hexdigest()


def same_token(given: object, expected: str | None) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given, expected)


# --- sign-in throttling -----------------------------------------------------------------------------------

class Throttle:
    """At most `limit` failed sign-ins per client address within `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0):
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, who: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(who, []) if now - t < self.window]
            self._failures[who] = recent
            return len(recent) >= self.limit

    def failed(self, who: str) -> None:
        with self._lock:
            self._failures.setdefault(who, []).append(time.monotonic())

    def succeeded(self, who: str) -> None:
        with self._lock:
            self._failures.pop(who, None)


# --- body size cap ----------------------------------------------------------------------------------------

TOO_LARGE_HTML = ("<!doctype html><meta charset=utf-8><title>文件过大</title>"
                  "<p>上传的内容超过 {mib} MB 的上限，未予接收。请分批上传，或压缩图片后重新保存文件。</p>")


class BodyTooLarge(Exception):
    """Raised from the body stream past the cap; the app maps it to the 413 page (see `too_large_page`)."""


def too_large_page(max_bytes: int) -> bytes:
    return TOO_LARGE_HTML.format(mib=max_bytes // (1024 * 1024)).encode("utf-8")


class BodyLimit:
    """ASGI middleware: a request whose body exceeds `max_bytes` gets 413 with a Chinese message — refused
    from its Content-Length before reading, or the moment the streamed body passes the cap (BodyTooLarge,
    which the app's exception handler turns into the same page)."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            body = too_large_page(self.max_bytes)
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)
