"""Access: the office password (salted scrypt hash), the one-time code of the first start, form tokens against
CSRF, throttling (sign-in, uploads, unknown links), and a cap on request bodies enforced while they stream in
(not after they were spooled to disk)."""
from __future__ import annotations

import hashlib
import hmac
import math
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


SETUP_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a console and typed


def new_setup_code() -> str:
    """The one-time code `xltasks serve` prints at a first start: /setup needs it besides being on this machine
    (a reverse proxy on this machine makes every visitor look local)."""
    code = "".join(secrets.choice(SETUP_CODE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def same_setup_code(given: object, expected: str) -> bool:
    typed = str(given or "").strip().upper().replace(" ", "")
    if len(typed) == 8:
        typed = f"{typed[:4]}-{typed[4:]}"
    return same_token(typed, expected)


# --- form tokens (CSRF) ---------------------------------------------------------------------------------

def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def unit_form_token(secret: str, link_token: str) -> str:
    """The form token of a unit's page: bound to its link (a unit page has no session)."""
    return hmac.new(secret.encode(), b"unit-form:" + link_token.encode(), hashlib.sha256).hexdigest()


def same_token(given: object, expected: str | None) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given, expected)


# --- throttling (sign-in, one-time setup code, unit uploads, unknown links) -------------------------------

# a unit re-sends a corrected file a few times on deadline day; 30 in 10 minutes is far above that and still
# caps what one leaked link can push (30 x 110 MB) before the office notices (app.Limits; serve --upload-limit)
UNIT_UPLOADS, UPLOAD_WINDOW_S = 30, 600


class Throttle:
    """At most `limit` events per key (a client address, a unit) within a sliding `window` of seconds, kept
    in memory: the sign-in failures of an address, the uploads of a unit, the unknown links an address tried.
    A restart forgets them, which only ever lets someone in sooner."""

    MAX_KEYS = 10_000  # past this many keys, forget the ones with nothing recent (an address-hopping flood)

    def __init__(self, limit: int = 5, window: float = 300.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._events: dict[object, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: object, now: float) -> list[float]:
        recent = [t for t in self._events.get(key, []) if now - t < self.window]
        if recent:
            self._events[key] = recent
        else:
            self._events.pop(key, None)
        return recent

    def retry_after(self, key: object) -> int:
        """Seconds until `key` may act again; 0 when it may now."""
        now = self.clock()
        with self._lock:
            recent = self._recent(key, now)
            if len(recent) < self.limit:
                return 0
            return max(1, math.ceil(recent[-self.limit] + self.window - now))

    def blocked(self, key: object) -> bool:
        return self.retry_after(key) > 0

    def hit(self, key: object) -> None:
        """Count one event of `key` (a failed sign-in, an unknown link)."""
        with self._lock:
            self._add(key, self.clock())

    def take(self, key: object) -> int:
        """Count one event of `key` unless it is over its limit: 0 if counted, else seconds to wait (a refused
        event is not counted, so the wait ends when the oldest counted one leaves the window)."""
        now = self.clock()
        with self._lock:
            recent = self._recent(key, now)
            if len(recent) >= self.limit:
                return max(1, math.ceil(recent[-self.limit] + self.window - now))
            self._add(key, now)
            return 0

    def clear(self, key: object) -> None:
        with self._lock:
            self._events.pop(key, None)

    def _add(self, key: object, now: float) -> None:
        if key not in self._events and len(self._events) >= self.MAX_KEYS:
            for old in list(self._events):
                self._recent(old, now)
        self._events.setdefault(key, []).append(now)


def wait_label(seconds: int) -> str:
    """“3 分钟” / “40 秒”: how long to wait, for a refusal message."""
    return f"{math.ceil(seconds / 60)} 分钟" if seconds >= 60 else f"{seconds} 秒"


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
