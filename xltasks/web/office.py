"""The office's pages (signed in): 总览, 任务台账, 模板下发, 报送情况, 汇编.

Each handler reads what it shows from the workspace (adapter.Site), the period's last merge (intake.Merger,
collect's own result) and the database, and calls a library job for what it does (issue templates, store
and check uploads, compile). Nothing here computes a rate or reads a workbook by itself.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ..core.errors import XltasksError
from ..core.models import ROLE_LEAD
from . import board
from .adapter import issued_templates
from .app import office_form, office_page, web_of
from .bureau import receive_files
from .charts import bar_chart
from .security import same_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: Request, web, value: str | None = None) -> str:
    name = value or request.query_params.get("period") or web.site.current_period().name
    try:
        return web.site.period(name).name
    except XltasksError:
        raise HTTPException(404, f"工作区中没有报送期“{name}”。") from None


def _link_base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _merged(web, period: str):
    return await run_in_threadpool(web.intake.merger.ensure, period, 20.0)


# --- 总览 ------------------------------------------------------------------------------------------------

@office_page
async def overview(request: Request):
    web = web_of(request)
    period = _period(request, web)
    p = web.site.period(period)
    result = await _merged(web, period)
    rows = board.unit_rows(web, period, result) if result is not None else []
    unit_counts = board.counts(rows) if result is not None else None
    as_of = board.as_of_for(web.site, period)
    compiled = await run_in_threadpool(web.analysis.compiled, period, as_of)
    statuses = board.status_counts(compiled)
    today = dt.date.today()
    issued = bool(issued_templates(web.site, period))
    return web.render(
        request, "overview.html", nav="overview", period=p, today=today,
        days_left=(p.deadline - today).days if p.deadline else None, unit_counts=unit_counts,
        files=len(result.files) if result is not None else 0, statuses=statuses, as_of=as_of,
        status_chart=bar_chart(statuses, title="任务状态") if statuses else "",
        unit_chart=bar_chart([(k, unit_counts[k]) for k in ("已报送", "有错误退回", "未报送", "逾期")],
                             title="报送情况") if unit_counts else "",
        steps=board.next_steps(web.site, period, issued, unit_counts), merge_error=web.intake.merger.errors.get(period),
        status=web.site.status(period), closed=len(web.site.closed_tasks()))


# --- 任务台账 --------------------------------------------------------------------------------------------

@office_page
async def tasks(request: Request):
    web = web_of(request)
    register = web.site.register()
    q = request.query_params
    text, section, leader, unit, status = (q.get(k, "").strip() for k in ("q", "section", "leader", "unit", "status"))
    rates_by_period: dict[str, dict[str, dict]] = {}
    for p in web.site.periods:
        stored = web.site.task_statuses(p.name)  # what the period's compiled 汇编 said
        if not stored:  # not compiled yet: the 汇编's computation on what has been merged so far
            compiled = await run_in_threadpool(web.analysis.compiled, p.name, board.as_of_for(web.site, p.name))
            stored = {t.task_id: {"rate": t.rate, "status": t.status} for t in compiled.tasks} if compiled else {}
        if stored:
            rates_by_period[p.name] = stored
    current = web.site.current_period().name
    latest = next((p.name for p in reversed(web.site.periods) if p.name in rates_by_period), None)
    shown = []
    for t in register.tasks:
        if text and text not in t.text and text != t.id:
            continue
        if section and t.section != section or leader and leader not in t.leader or unit and unit not in t.units:
            continue
        if status:
            got = rates_by_period.get(latest or "", {}).get(t.id)
            if got is None or got["status"] != status:
                continue
        shown.append(t)
    return web.render(request, "tasks.html", nav="tasks", tasks=shown, total=len(register.tasks),
                      sections=list(dict.fromkeys(t.section for t in register.tasks)),
                      leaders=sorted({x for t in register.tasks for x in t.leader.split("、") if x}),
                      units=[u.name for u in register.units], statuses=board.TASK_STATUSES,
                      filters=dict(q=text, section=section, leader=leader, unit=unit, status=status),
                      periods=[p for p in web.site.periods if p.name in rates_by_period],
                      rates=rates_by_period, latest=latest, current=current,
                      with_deadline=any(getattr(t, "deadline", "") for t in register.tasks))


# --- 模板下发 --------------------------------------------------------------------------------------------

@office_page
async def issue(request: Request):
    web = web_of(request)
    period = _period(request, web)
    issued = issued_templates(web.site, period)
    units = web.intake.context(period).index.units()
    links = web.store.ensure_tokens(units, period) if issued else {}
    notices = {}
    folder = web.site.templates_dir(period)
    for unit, path in issued.items():
        notice = folder / f"{path.stem}_下发通知.txt"
        if notice.is_file():
            notices[unit] = notice.read_text(encoding="utf-8-sig")
    index = web.intake.context(period).index
    roles = {u: (sum(index.role(u, t.id) == ROLE_LEAD for t in index.tasks[u]),
                 sum(index.role(u, t.id) != ROLE_LEAD for t in index.tasks[u])) for u in units}
    return web.render(request, "issue.html", nav="issue", period=web.site.period(period), issued=issued,
                      units=units, links=links, base=_link_base(request), notices=notices, roles=roles,
                      message=request.query_params.get("msg", ""))


@office_page
async def issue_generate(request: Request):
    web = web_of(request)
    form = await office_form(request)
    period = _period(request, web, str(form.get("period", "")))
    try:
        issued = await run_in_threadpool(web.site.issue_templates, period)
    except XltasksError as exc:
        raise HTTPException(400, f"模板未能生成：{exc}") from None
    web.store.ensure_tokens([it.unit for it in issued.run.issued], period)
    msg = f"已生成 {len(issued.run.issued)} 个单位的填报模板"
    if issued.prefilled_units:
        msg += f"，其中 {len(issued.prefilled_units)} 个按往期报送预填"
    if issued.closed_left_out:
        msg += f"；已销号的 {len(issued.closed_left_out)} 项任务不再下发"
    return RedirectResponse(f"/issue?period={period}&msg={msg}", status_code=303)


@office_page
async def issue_template(request: Request):
    web = web_of(request)
    period = _period(request, web)
    path = issued_templates(web.site, period).get(request.query_params.get("unit", ""))
    if path is None:
        raise HTTPException(404, "该单位本期没有模板。")
    return FileResponse(path, filename=path.name, media_type=XLSX)


@office_page
async def issue_zip(request: Request):
    web = web_of(request)
    period = _period(request, web)
    issued = issued_templates(web.site, period)
    if not issued:
        raise HTTPException(404, "本期模板尚未生成。")
    folder = web.site.templates_dir(period)

    def pack() -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith((".", "~$")):
                    z.write(path, path.name)
        return buf.getvalue()

    data = await run_in_threadpool(pack)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": _attachment(f"{period}_填报模板.zip")})


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"{period_ascii(name)}\"; filename*=UTF-8''{quote(name)}"


def period_ascii(name: str) -> str:
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)


@office_page
async def issue_link(request: Request):
    web = web_of(request)
    form = await office_form(request)
    period = _period(request, web, str(form.get("period", "")))
    unit = str(form.get("unit", ""))
    if unit not in web.intake.context(period).index.units():
        raise HTTPException(404, f"本期没有单位“{unit}”。")
    if form.get("action") == "revoke":
        web.store.revoke_token(unit, period)
        msg = f"已停用“{unit}”的上传链接"
    else:
        web.store.reissue_token(unit, period)
        msg = f"已为“{unit}”重新生成上传链接，旧链接已停用"
    return RedirectResponse(f"/issue?period={period}&msg={msg}#links", status_code=303)


# --- 报送情况 --------------------------------------------------------------------------------------------

async def _returns_context(request: Request, web, period: str) -> dict:
    result = await _merged(web, period)
    rows = board.unit_rows(web, period, result) if result is not None else []
    reminders = []
    if result is not None:
        from ..collecting.report import reminder_texts, report_dict

        p = web.site.period(period)
        reminders = reminder_texts(report_dict(result), deadline=p.deadline.isoformat() if p.deadline else "",
                                   contact=web.site.contact)
    tokens = web.store.tokens(period)
    return dict(period=web.site.period(period), rows=rows, counts=board.counts(rows), reminders=reminders,
                links=tokens, base=_link_base(request), merge_error=web.intake.merger.errors.get(period))


@office_page
async def returns(request: Request):
    web = web_of(request)
    period = _period(request, web)
    context = await _returns_context(request, web, period)
    return web.render(request, "returns.html", nav="returns", received=[], **context)


@office_page
async def returns_board(request: Request):
    web = web_of(request)
    period = _period(request, web)
    context = await _returns_context(request, web, period)
    return web.render(request, "returns_board.html", **context)


@office_page
async def returns_upload(request: Request):
    web = web_of(request)
    form, files, too_big = await receive_files(request, web, max_files=web.limits.office_files)
    if not same_token(form.get("csrf"), request.session.get("csrf")):
        raise HTTPException(403, "表单已过期或来源不明，文件未接收。请刷新页面后重新上传。")
    period = _period(request, web, str(form.get("period", "")))
    received = [await run_in_threadpool(web.intake.receive, period, name, data, unit=None) for name, data in files]
    await run_in_threadpool(web.intake.merger.wait, period, 20.0)
    context = await _returns_context(request, web, period)
    return web.render(request, "returns.html", nav="returns", received=received, refusal="；".join(too_big),
                      status_code=413 if too_big and not received else 200, **context)


@office_page
async def returns_file(request: Request):
    web = web_of(request)
    record = web.store.upload(request.path_params["upload_id"])
    if record is None or not record.stored_path:
        raise HTTPException(404, "没有这个文件。")
    path = (web.site.root / record.stored_path).resolve()
    if web.site.root.resolve() not in path.parents or not path.is_file():
        raise HTTPException(404, "没有这个文件。")
    return FileResponse(path, filename=record.original_name, media_type="application/octet-stream")


# --- 汇编 ------------------------------------------------------------------------------------------------

@office_page
async def compile_page(request: Request):
    """Compile the period for an as-of date, then write its 督查通报 from the same figures."""
    web = web_of(request)
    period = _period(request, web)
    as_of = board.as_of_for(web.site, period)
    error = ""
    compiled = None
    if request.method == "POST":
        form = await office_form(request)
        period = _period(request, web, str(form.get("period", "")))
        try:
            as_of = dt.date.fromisoformat(str(form.get("as_of", "")))
        except ValueError:
            error = "截至日期格式应为 YYYY-MM-DD，例如 2021-09-30"
        if not error:
            await _merged(web, period)
            try:
                compiled = await run_in_threadpool(web.site.compile, period, as_of)
                await run_in_threadpool(web.site.bulletin, period)
            except XltasksError as exc:
                error = f"{'督查通报' if compiled else '汇编'}未能写出：{exc}"
    downloads = [(kind, label) for kind, label in _OUTPUTS if web.site.output_path(period, kind).is_file()]
    return web.render(request, "compile.html", nav="compile", period=web.site.period(period), as_of=as_of,
                      compiled=compiled, error=error, downloads=downloads, has_soffice=_has_soffice(),
                      chart=bar_chart(board.status_counts(compiled), title="任务状态") if compiled else "",
                      sections=board.by_section(web.site.register(), compiled) if compiled else [],
                      statuses=board.TASK_STATUSES, status_code=400 if error and not compiled else 200)


_OUTPUTS = (("xlsx", "完成情况汇编（.xlsx）"), ("pdf", "完成情况汇编（.pdf）"), ("docx", "督查通报（.docx）"))
_MEDIA = {"xlsx": XLSX, "pdf": "application/pdf",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _has_soffice() -> bool:
    from ..core.libreoffice import find_soffice

    return find_soffice() is not None


@office_page
async def compile_download(request: Request):
    web = web_of(request)
    period = _period(request, web)
    kind = request.path_params["kind"]
    if kind not in _MEDIA:
        raise HTTPException(404, "没有这种文件。")
    path = web.site.output_path(period, kind)
    xlsx = web.site.output_path(period, "xlsx")
    if kind == "pdf" and xlsx.is_file() and (not path.is_file() or path.stat().st_mtime < xlsx.stat().st_mtime):
        if not _has_soffice():
            raise HTTPException(404, "这台电脑没有安装 LibreOffice，无法生成 PDF；请下载 .xlsx 后自行打印。")
        from ..core.libreoffice import convert

        path = await run_in_threadpool(convert, xlsx, path.parent, "pdf")
    if not path.is_file():
        raise HTTPException(404, "这个文件还没有生成，请先编制汇编。")
    return FileResponse(path, filename=f"{period}_{path.name}", media_type=_MEDIA[kind])


def routes() -> list[Route]:
    return [
        Route("/", overview),
        Route("/tasks", tasks),
        Route("/issue", issue),
        Route("/issue/generate", issue_generate, methods=["POST"]),
        Route("/issue/template", issue_template),
        Route("/issue/all.zip", issue_zip),
        Route("/issue/link", issue_link, methods=["POST"]),
        Route("/returns", returns),
        Route("/returns/board", returns_board),
        Route("/returns/upload", returns_upload, methods=["POST"]),
        Route("/returns/file/{upload_id:int}", returns_file),
        Route("/compile", compile_page, methods=["GET", "POST"]),
        Route("/compile/download/{kind}", compile_download),
    ]


