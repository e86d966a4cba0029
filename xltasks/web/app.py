"""The Starlette application of `xltasks serve`: wiring, sign-in, form tokens, limits, error pages.

Pages are rendered on the server with jinja2 from templates/web/ (shipped in the wheel); the one script,
htmx, is shipped there too (templates/web/static/) and never loaded from the internet. Office pages
(office.py) need the signed session of the office password; a unit's page (bureau.py) needs only its link
token, and that token opens nothing else.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from functools import wraps

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..core import layout
from ..core.errors import XltasksError
from ..core.texts import TEMPLATES_DIR
from .adapter import Site
from .intake import Intake
from .security import (UNIT_UPLOADS, UPLOAD_WINDOW_S, BodyLimit, BodyTooLarge, Throttle, check_password,
                       hash_password, new_csrf, new_setup_code, password_problem, same_setup_code, same_token,
                       too_large_page, wait_label)
from .store import Store

WEB_TEMPLATES = TEMPLATES_DIR / "web"
SESSION_COOKIE = "xltasks_session"
SESSION_HOURS = 10
PASSWORD_KEY = "office_password"


@dataclass(frozen=True)
class Limits:
    """Upload and rate limits (the refusal messages name them). The rates are per process, in memory."""

    file_bytes: int = 30 * 1024 * 1024  # one uploaded file
    body_bytes: int = 110 * 1024 * 1024  # one request, all files together
    unit_files: int = 10  # files per upload through a unit's link
    office_files: int = 300  # files per upload by the office
    unit_uploads: int = UNIT_UPLOADS  # per unit within upload_window_s (see security.py for why 30)
    upload_window_s: int = UPLOAD_WINDOW_S
    # unknown or revoked links tried from one address: an old link clicked again is a handful; past this the
    # address waits (every /u/ page, so that a guess cannot tell a live link by its answer)
    link_misses: int = 20
    miss_window_s: int = 600
    sign_in_failures: int = 5  # wrong passwords (or first-start codes) per address ...
    sign_in_window_s: int = 300  # ... within 5 minutes

    def mib(self, n: int) -> str:
        return f"{n / (1024 * 1024):g} MB"


class Web:
    """What every handler needs: the workspace, its database, the upload intake and the page renderer."""

    def __init__(self, site: Site, limits: Limits):
        self.site = site
        self.store = Store(site.db_path)
        self.intake = Intake(site, self.store)
        self.limits = limits
        self.throttle = Throttle(limits.sign_in_failures, limits.sign_in_window_s)
        self.upload_throttle = Throttle(limits.unit_uploads, limits.upload_window_s)
        self.link_throttle = Throttle(limits.link_misses, limits.miss_window_s)
        self.setup_code = ""
        self.templates = Jinja2Templates(directory=str(WEB_TEMPLATES))
        env = self.templates.env
        env.filters["period_label"] = layout.period_label
        env.filters["date_label"] = layout.date_label
        env.filters["pct"] = lambda v, d=1: "" if v is None else f"{v * 100:.{d}f}%"
        env.filters["mib"] = limits.mib
        env.globals["limits"] = limits
        from .board import analysis_cache

        self.analysis = analysis_cache(self)

    def password_hash(self) -> str | None:
        return self.store.setting(PASSWORD_KEY)

    def render(self, request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        context.setdefault("site", self.site)
        context.setdefault("signed_in", is_office(request))
        context.setdefault("csrf", request.session.get("csrf", "") if "session" in request.scope else "")
        context.setdefault("nav", "")
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)


def web_of(request: Request) -> Web:
    return request.app.state.web


def client_address(request: Request) -> str:
    """The visitor's address: the TCP peer, or behind a trusted proxy what it forwarded (create_app)."""
    return request.client.host if request.client else "?"


def too_many(seconds: int, message: str) -> HTTPException:
    """A 429 refusal: its Chinese message (which names the wait) and Retry-After."""
    return HTTPException(429, message, headers={"Retry-After": str(seconds)})


# --- the office session ------------------------------------------------------------------------------------

def _password_stamp(stored: str | None) -> str:
    # a session names the password it was made with: a new password signs every old session out
    import hashlib

    return hashlib.sha256((stored or "").encode()).hexdigest()[:16]


def is_office(request: Request) -> bool:
    if "session" not in request.scope:
        return False
    session = request.session
    return bool(session.get("office")) and session.get("pw") == _password_stamp(web_of(request).password_hash())


def office_page(handler):
    """Office pages: a signed-in session; otherwise sign-in (or first-start set-up) for a page, 403 else."""
    @wraps(handler)
    async def wrapper(request: Request):
        web = web_of(request)
        if is_office(request):
            return await handler(request)
        if request.method == "GET":
            target = "/setup" if web.password_hash() is None else "/login"
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"{target}?next={urllib.parse.quote(nxt)}", status_code=303)
        raise HTTPException(403, "请先登录督查室账号")
    return wrapper


async def office_form(request: Request):
    """The posted form of an office page, after its form token was checked (CSRF)."""
    form = await request.form(max_files=0, max_fields=50)
    if not same_token(form.get("csrf"), request.session.get("csrf")):
        raise HTTPException(403, "表单已过期或来源不明，操作未执行。请刷新页面后重试。")
    return form


def _safe_next(value: str | None) -> str:
    value = value or "/"
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


def _is_local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")


async def setup_page(request: Request):
    """First start: the office sets its password, from this machine only and with the one-time code that
    `xltasks serve` printed on its console (a proxy on this machine would make every visitor look local)."""
    web = web_of(request)
    if web.password_hash() is not None:
        return RedirectResponse("/login", status_code=303)
    if not _is_local(request):
        raise HTTPException(403, "首次设置密码只能在运行 xltasks 的这台电脑上进行（浏览器打开 http://127.0.0.1:端口/）")
    who = client_address(request)
    error, status = "", 200
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=10)
        if not same_token(form.get("csrf"), request.session.get("setup_csrf")):
            raise HTTPException(403, "表单已过期或来源不明，操作未执行。请刷新页面后重试。")
        wait = web.throttle.retry_after(who)
        if wait:
            raise too_many(wait, f"验证码错误次数过多，请 {wait_label(wait)}后再试。")
        password, again = str(form.get("password", "")), str(form.get("again", ""))
        if not same_setup_code(form.get("code"), web.setup_code):
            web.throttle.hit(who)
            error, status = "一次性验证码不正确。验证码显示在启动 xltasks serve 的终端窗口中。", 403
        elif error := password_problem(password, again):
            status = 400
        else:
            web.store.set_setting(PASSWORD_KEY, hash_password(password))
            _sign_in(request, web)
            return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    request.session["setup_csrf"] = request.session.get("setup_csrf") or new_csrf()
    return web.render(request, "setup.html", error=error, setup_csrf=request.session["setup_csrf"],
                      code=str(request.query_params.get("code", ""))[:20], status_code=status)


def _sign_in(request: Request, web: Web) -> None:
    request.session.clear()
    request.session.update({"office": True, "pw": _password_stamp(web.password_hash()), "csrf": new_csrf(),
                            "at": dt.datetime.now().isoformat(timespec="seconds")})


async def login_page(request: Request):
    web = web_of(request)
    if web.password_hash() is None:
        return RedirectResponse("/setup", status_code=303)
    error = ""
    status = wait = 0
    who = client_address(request)
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=10)
        if not same_token(form.get("csrf"), request.session.get("login_csrf")):
            raise HTTPException(403, "表单已过期或来源不明，请刷新页面后重新登录。")
        wait = web.throttle.retry_after(who)
        if wait:
            error, status = f"密码错误次数过多，请 {wait_label(wait)}后再试。", 429
        elif check_password(str(form.get("password", "")), web.password_hash()):
            web.throttle.clear(who)
            _sign_in(request, web)
            return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
        else:
            web.throttle.hit(who)
            error, status = "密码不正确。", 401
    request.session["login_csrf"] = request.session.get("login_csrf") or new_csrf()
    page = web.render(request, "login.html", error=error, login_csrf=request.session["login_csrf"],
                      status_code=status or 200)
    if wait:
        page.headers["Retry-After"] = str(wait)
    return page


@office_page
async def logout(request: Request):
    await office_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --- errors ------------------------------------------------------------------------------------------------

async def http_error(request: Request, exc: HTTPException):
    web = web_of(request)
    titles = {403: "无权访问", 404: "页面不存在", 405: "不支持的操作", 413: "文件过大", 429: "请稍后再试"}
    detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else ""
    unit_page = request.url.path.startswith("/u/")  # a unit's page never shows the office's menu
    page = web.render(request, "error.html", status_code=exc.status_code,
                      title=titles.get(exc.status_code, "出错了"), message=detail or titles.get(exc.status_code, ""),
                      signed_in=is_office(request) and not unit_page)
    page.headers.update(exc.headers or {})
    return page


async def library_error(request: Request, exc: XltasksError):
    """A job the workspace could not do (a missing register, a broken config): its one Chinese line."""
    web = web_of(request)
    if request.url.path.startswith("/u/"):  # a unit sees no path or detail of the office's machine
        return web.render(request, "error.html", status_code=503, title="暂时无法处理",
                          message="报送系统暂时无法处理这个请求，请稍后再试或与督查室联系。", signed_in=False)
    return web.render(request, "error.html", status_code=400, title="无法完成", message=str(exc),
                      signed_in=is_office(request))


async def body_too_large(request: Request, exc: BodyTooLarge):
    return HTMLResponse(too_large_page(web_of(request).limits.body_bytes), status_code=413)


_SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # a unit's link carries its token: never leak it to another site
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                 b"script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
]


class SecurityHeaders:
    """ASGI middleware: the headers above on every response; pages (not static files) are never cached."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + _SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def proxy_network(address: str) -> str:
    """A proxy address or network as given (127.0.0.1, 10.0.0.5, 10.0.0.0/24, ::1); ValueError for anything
    else, "*" included: trusting every sender's X-Forwarded-For would let anyone pick their address."""
    text = address.strip()
    if "/" in text:
        return str(ipaddress.ip_network(text, strict=False))
    return str(ipaddress.ip_address(text))


def create_app(site: Site, *, limits: Limits | None = None, https_proxies: Sequence[str] = (), https: bool = False,
               setup_code: str | None = None) -> Starlette:
    """The app of `xltasks serve`. Plain HTTP by default, trusting no forwarded header. With `https_proxies`
    (the addresses of the office's HTTPS reverse proxy) the session cookie is Secure, and X-Forwarded-For /
    X-Forwarded-Proto are honoured from those addresses only, so the throttles and /setup see the real visitor
    and links are written https://. `https`: served over TLS directly (serve --tls-cert), a Secure cookie too.
    `setup_code`: the first start's one-time code (a new one when None)."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from . import bureau, office

    web = Web(site, limits or Limits())
    web.setup_code = setup_code or new_setup_code()
    routes = [
        Route("/setup", setup_page, methods=["GET", "POST"]),
        Route("/login", login_page, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *office.routes(),
        *bureau.routes(),
        Mount("/static", StaticFiles(directory=str(WEB_TEMPLATES / "static")), name="static"),
    ]
    proxies = [proxy_network(a) for a in https_proxies]
    middleware = [
        *([Middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)] if proxies else []),
        Middleware(BodyLimit, max_bytes=web.limits.body_bytes),
        Middleware(SessionMiddleware, secret_key=web.store.secret_key(), session_cookie=SESSION_COOKIE,
                   max_age=SESSION_HOURS * 3600, same_site="strict", https_only=https or bool(proxies)),
        Middleware(SecurityHeaders),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        web.intake.merger.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, BodyTooLarge: body_too_large,
                                        XltasksError: library_error})
    app.state.web = web
    return app

