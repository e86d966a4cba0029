"""Identification: the hidden `_meta` sheet says which template, unit and period a file is (never its name)."""
from __future__ import annotations

from ...core import layout as L
from ..workbook import cell_text
from .base import Subject, check

same_period = L.same_period  # part of this package's API (validate re-exports it)


def meta_cell(subject: Subject, key: str) -> str:
    return f"B{subject.meta_rows[key]}" if key in subject.meta_rows else "A1"


@check("not-our-template")
def our_template(subject: Subject):
    book = subject.book
    meta = book.meta()
    if meta is None:
        return [subject.problem("not-our-template", reason=f"没有隐藏工作表“{L.SHEET_META}”")]
    for i, row in enumerate(book.rows(L.SHEET_META), start=1):
        if row and cell_text(row[0]).strip():
            subject.meta_rows.setdefault(cell_text(row[0]).strip(), i)
    subject.meta = meta
    if not meta.get(L.META_TEMPLATE_ID) or not meta.get(L.META_UNIT):
        return [subject.problem("not-our-template", sheet=L.SHEET_META, cell="A1",
                                reason=f"“{L.SHEET_META}”中缺少模板标识（template_id、unit）")]
    if L.SHEET_ENTRY not in book.sheet_names:
        # _meta names the unit: it is 有错误退回 (told what to fix), not 未报送
        subject.unit = subject.ctx.index.canonical(meta.get(L.META_UNIT, "")) or ""
        others = [n for n in book.sheet_names if n not in (L.SHEET_META, L.SHEET_INSTRUCTIONS)]
        renamed = f"，工作表被改名（现有“{'”“'.join(others[:3])}”），请改回“{L.SHEET_ENTRY}”" if others else ""
        return [subject.problem("not-our-template", reason=f"没有“{L.SHEET_ENTRY}”工作表{renamed}")]
    subject.template_id = meta.get(L.META_TEMPLATE_ID, "")
    return []


@check("schema-version")
def schema_version(subject: Subject):
    found = subject.meta.get(L.META_SCHEMA_VERSION, "")
    accepted = subject.ctx.accepted_schemas
    if found in accepted:
        return []
    # still name the unit when _meta does (a known one): it then counts as 有错误退回, not 未报送
    subject.unit = subject.ctx.index.canonical(subject.meta.get(L.META_UNIT, "")) or ""
    return [subject.problem("schema-version", sheet=L.SHEET_META, cell=meta_cell(subject, L.META_SCHEMA_VERSION),
                            found=found or "（空）", accepted="、".join(accepted))]


@check("register-mismatch")
def same_register(subject: Subject):
    """The template names the register it was issued from (its digest): another register — other task texts,
    another document — would blame the unit for every changed text, or call it unknown."""
    found = subject.meta.get(L.META_REGISTER_DIGEST, "")
    if not found or found == subject.ctx.register_digest:
        return []  # templates made before the digest was written are not checked
    subject.unit = subject.ctx.index.canonical(subject.meta.get(L.META_UNIT, "")) or ""
    return [subject.problem("register-mismatch", sheet=L.SHEET_META, cell=meta_cell(subject, L.META_REGISTER_DIGEST),
                            found=found[:12], expected=subject.ctx.register_digest[:12])]


@check("unknown-unit")
def known_unit(subject: Subject):
    raw = subject.meta.get(L.META_UNIT, "")
    unit = subject.ctx.index.canonical(raw)
    if unit is None:
        subject.unit = ""  # not a unit of the register: listed apart, never as a unit's return
        return [subject.problem("unknown-unit", sheet=L.SHEET_META, cell=meta_cell(subject, L.META_UNIT), name=raw)]
    subject.unit = unit
    return []


@check("wrong-period")
def same_period_as_collected(subject: Subject):
    found = subject.meta.get(L.META_PERIOD, "")
    subject.period = found
    if not same_period(found, subject.ctx.period):
        return [subject.problem("wrong-period", sheet=L.SHEET_META, cell=meta_cell(subject, L.META_PERIOD),
                                found=found or "（空）", expected=subject.ctx.period)]
    subject.identified = True
    return []
