"""A unit's own page, reached through its personal link /u/<token> (no account): its template, an upload
box with the result at once (collect's own problems, cell by cell), and the history of its own uploads.

The token names one unit and one period; every handler here serves that unit only. Another unit's upload
record is 403; an unknown or revoked token is 404 (it must not tell which tokens exist). An address that tried
too many unknown links waits (429 on every /u/ page, a live link included, so a guess learns nothing); a unit
that uploaded too often within the window waits too (Limits).
"""
from __future__ import annotations

import datetime as dt

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from .adapter import issued_template
from .app import client_address, too_many, web_of
from .intake import Received
from .security import same_token, unit_form_token, wait_label

LINK_INVALID = "链接无效或已停用。请向督查室索取本单位的新链接。"


def _unit(request: Request):
    web = web_of(request)
    token = request.path_params["token"]
    who = client_address(request)
    wait = web.link_throttle.retry_after(who)
    if wait:
        raise too_many(wait, f"无效链接的尝试次数过多，请 {wait_label(wait)}后再试；"
                             "如链接已停用，请向督查室索取本单位的新链接。")
    found = web.store.unit_of_token(token)
    if found is None:
        web.link_throttle.hit(who)
        raise HTTPException(404, LINK_INVALID)
    unit, period = found
    return web, token, unit, period


def _form_token(web, token: str) -> str:
    return unit_form_token(web.store.secret_key(), token)


def _page(request: Request, web, token: str, unit: str, period: str, received: list[Received] | None = None,
          refusal: str = "", status_code: int = 200):
    p = web.site.period(period)
    today = dt.date.today()
    days_left = (p.deadline - today).days if p.deadline else None
    context = dict(signed_in=False, unit=unit, period=p, token=token, form_token=_form_token(web, token),
                   has_template=issued_template(web.site, period, unit) is not None, days_left=days_left,
                   history=web.store.uploads(period, unit), received=received or [], refusal=refusal)
    if request.headers.get("HX-Request") and request.method == "POST":
        return web.render(request, "bureau_result.html", status_code=status_code, **context)
    return web.render(request, "bureau.html", status_code=status_code, **context)


async def page(request: Request):
    web, token, unit, period = _unit(request)
    return _page(request, web, token, unit, period)


async def template(request: Request):
    web, token, unit, period = _unit(request)
    path = issued_template(web.site, period, unit)
    if path is None:
        raise HTTPException(404, "本期模板尚未生成，请稍后再来或联系督查室。")
    return FileResponse(path, filename=path.name,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


async def receive_files(request: Request, web, *, max_files: int):
    """The uploaded files of a form (name, bytes) and why any were refused before storing; the form itself."""
    limits = web.limits
    try:
        form = await request.form(max_files=max_files, max_fields=10, max_part_size=64 * 1024)
    except HTTPException:
        raise HTTPException(413, f"一次最多上传 {max_files} 个文件（每个不超过 {limits.mib(limits.file_bytes)}）；"
                                 f"文件较多时请打成一个 .zip 压缩包，或分批上传。") from None
    files, too_big = [], []
    for item in form.getlist("files"):
        if isinstance(item, str) or not getattr(item, "filename", None):
            continue
        if item.size is not None and item.size > limits.file_bytes:
            too_big.append(f"“{item.filename}”超过单个文件 {limits.mib(limits.file_bytes)} 的上限，未予接收")
            continue
        data = await item.read(limits.file_bytes + 1)
        if len(data) > limits.file_bytes:
            too_big.append(f"“{item.filename}”超过单个文件 {limits.mib(limits.file_bytes)} 的上限，未予接收")
            continue
        files.append((item.filename, data))
    return form, files, too_big


async def upload(request: Request):
    web, token, unit, period = _unit(request)
    wait = web.upload_throttle.take((period, unit))
    if wait:  # refused before its body is read
        limits = web.limits
        refused = _page(request, web, token, unit, period, status_code=429,
                        refusal=f"本单位 {limits.upload_window_s // 60} 分钟内已上传 {limits.unit_uploads} 次，"
                                f"达到上限，本次未接收。请 {wait_label(wait)}后"
                                f"（{(dt.datetime.now() + dt.timedelta(seconds=wait)):%H:%M} 以后）再上传。")
        refused.headers["Retry-After"] = str(wait)
        return refused
    form, files, too_big = await receive_files(request, web, max_files=web.limits.unit_files)
    if not same_token(form.get("form_token"), _form_token(web, token)):
        raise HTTPException(403, "表单已过期或来源不明，文件未接收。请刷新页面后重新上传。")
    if not files and not too_big:
        return _page(request, web, token, unit, period, refusal="请先选择要上传的填报表文件。", status_code=400)
    received = [await run_in_threadpool(web.intake.receive, period, name, data, unit=unit) for name, data in files]
    return _page(request, web, token, unit, period, received=received, refusal="；".join(too_big),
                 status_code=413 if too_big and not received else 200)


async def upload_detail(request: Request):
    web, token, unit, period = _unit(request)
    record = web.store.upload(request.path_params["upload_id"])
    if record is None:
        raise HTTPException(404, "没有这条报送记录。")
    if record.unit != unit or record.period != period:
        raise HTTPException(403, "这条报送记录不属于本单位，无权查看。")
    p = web.site.period(period)
    return web.render(request, "bureau_upload.html", signed_in=False, unit=unit, period=p, token=token, record=record)


def routes() -> list[Route]:
    return [
        Route("/u/{token}", page),
        Route("/u/{token}/template", template),
        Route("/u/{token}/upload", upload, methods=["POST"]),
        Route("/u/{token}/uploads/{upload_id:int}", upload_detail),
    ]
