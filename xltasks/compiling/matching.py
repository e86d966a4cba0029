"""Matching an old 汇编's tasks to a register: task numbering, leader titles and texts changed between 000 and
002, so tasks are matched on section, printed order and text similarity."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..core.models import Register
from ..core.textkeys import nfkc
from .printed import CompilationDoc, CompTask


MATCH_THRESHOLD = 0.5  # text similarity (difflib ratio on NFKC text) to accept a match alone
MATCH_THRESHOLD_SAME_NO = 0.3  # … when the printed number is also the same


@dataclass
class MatchResult:
    task_ids: dict[int, str] = field(default_factory=dict)  # index in doc.tasks → register task id
    scores: dict[int, float] = field(default_factory=dict)
    unmatched: list[int] = field(default_factory=list)  # indexes in doc.tasks that could not be placed
    missing: list[str] = field(default_factory=list)  # register task ids with no task in the document
    with_register: bool = True

    def task_id(self, index: int, task: CompTask) -> str:
        """The register id, or "<section>.<no>" as printed when there is no register / no match."""
        return self.task_ids.get(index) or f"{task.section_no}.{task.no}"


_PUNCT = re.compile(r"[\s，,。.;；:：、“”\"'‘’()（）《》<>!！?？]")


def _norm_text(s: str) -> str:
    return _PUNCT.sub("", nfkc(s))


def _similarity(a: str, b: str) -> float:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < 0.2 or sm.quick_ratio() < 0.2:
        return 0.0
    return sm.ratio()


def match_to_register(doc: CompilationDoc, register: Register | None) -> MatchResult:
    """Place each task of the compilation on a register task: same section (by order, checked by
    title similarity), then best text similarity, the printed number breaking near-ties."""
    result = MatchResult(with_register=register is not None)
    if register is None:
        return result
    # Register sections in order of first appearance.
    reg_sections: list[str] = []
    by_section: dict[str, list] = {}
    for t in register.tasks:
        if t.section not in by_section:
            reg_sections.append(t.section)
            by_section[t.section] = []
        by_section[t.section].append(t)
    doc_by_section: dict[int, list[int]] = {}
    for i, t in enumerate(doc.tasks):
        doc_by_section.setdefault(t.section_no, []).append(i)
    used: set[str] = set()
    for s_no, indexes in doc_by_section.items():
        title = doc.sections[s_no - 1] if 0 < s_no <= len(doc.sections) else ""
        candidates_sections = _candidate_sections(title, s_no, reg_sections)
        cands = [t for sec in candidates_sections for t in by_section[sec]]
        normed = {t.id: _norm_text(t.text) for t in cands}
        pairs = []
        for i in indexes:
            dt = _norm_text(doc.tasks[i].text)
            for t in cands:
                score = _similarity(dt, normed[t.id])
                same_no = t.no == doc.tasks[i].no
                if score >= MATCH_THRESHOLD or (same_no and score >= MATCH_THRESHOLD_SAME_NO):
                    pairs.append((score + (0.05 if same_no else 0.0), i, t.id))
        pairs.sort(key=lambda p: -p[0])
        for score, i, tid in pairs:
            if i in result.task_ids or tid in used:
                continue
            result.task_ids[i] = tid
            result.scores[i] = round(min(score, 1.0), 3)
            used.add(tid)
    result.unmatched = [i for i in range(len(doc.tasks)) if i not in result.task_ids]
    covered = {sec for s_no in doc_by_section
               for sec in _candidate_sections(doc.sections[s_no - 1] if 0 < s_no <= len(doc.sections) else "",
                                              s_no, reg_sections)}
    result.missing = [t.id for t in register.tasks if t.section in covered and t.id not in used]
    return result


def _candidate_sections(title: str, s_no: int, reg_sections: list[str]) -> list[str]:
    """The register section this document section is: the same ordinal when the titles agree,
    else the most similar title (sections may be missing from either side)."""
    if not reg_sections:
        return []
    t = _norm_text(title)
    scored = [(_similarity(t, _norm_text(s)), k) for k, s in enumerate(reg_sections)]
    if 0 < s_no <= len(reg_sections) and scored[s_no - 1][0] >= 0.6:
        return [reg_sections[s_no - 1]]
    best, k = max(scored)
    if best >= 0.4:
        return [reg_sections[k]]
    return list(reg_sections)  # no section fits: search them all
