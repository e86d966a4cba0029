"""Charts drawn on the server as SVG (no script, prints as drawn): horizontal bars with their counts."""
from __future__ import annotations

from html import escape

from markupsafe import Markup

COLORS = {
    "已完成": "#2e7d32", "超序时": "#1565c0", "达序时": "#00897b", "滞后": "#e65100", "无完成率": "#9e9e9e",
    "未报送": "#c62828", "逾期": "#6a1b9a",
    "已报送": "#2e7d32", "有错误退回": "#e65100", "逾期报送": "#8d6e63",
}


def bar_chart(items: list[tuple[str, int]], *, title: str = "", width: int = 460, bar: int = 22) -> Markup:
    """One bar per (label, count), longest = full width; count and share printed beside each bar."""
    label_w, value_w, gap = 84, 104, 8
    total = sum(v for _, v in items) or 1
    top = max((v for _, v in items), default=0) or 1
    height = len(items) * (bar + gap) + gap
    span = width - label_w - value_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" role="img" '
             f'aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar + gap)
        w = round(span * value / top) if value else 0
        color = COLORS.get(label, "#546e7a")
        parts.append(f'<text x="{label_w - 8}" y="{y + bar * 0.72:.1f}" text-anchor="end" font-size="14">'
                     f"{escape(label)}</text>")
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 1 if value else 0)}" height="{bar}" '
                     f'fill="{color}" rx="2"><title>{escape(label)}：{value}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + bar * 0.72:.1f}" font-size="14">'
                     f"{value}（{value * 100 / total:.1f}%）</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
