"""The jinja2 texts people read (填报说明, 下发通知, 催报通知, 退回修改通知, the 汇编's 图例 notes).

They live in the top-level templates/ folder, not in Python strings (an installed package carries them as
xltasks/templates/, see setup.py); every stage renders them here, with
the same filters: period_label ("2021Q3" → "2021年第三季度") and date_label ("2021-10-15" → "2021年10月15日").
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from . import layout
from .errors import XltasksError



def _templates_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "templates"  # xltasks/templates/ in a wheel
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"  # a checkout


TEMPLATES_DIR = _templates_dir()


@lru_cache(maxsize=1)
def jinja_env():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=False, lstrip_blocks=False)
    env.filters["period_label"] = layout.period_label  # "2021Q3" → "2021年第三季度" in every text
    env.filters["date_label"] = layout.date_label  # "2021-10-15" → "2021年10月15日"
    return env


def render(name: str, **context) -> str:
    try:
        return jinja_env().get_template(name).render(**context)
    except Exception as exc:  # noqa: BLE001 - a missing or broken text template is one clear error
        raise XltasksError(f"无法渲染文本模板: {exc}", file=str(TEMPLATES_DIR / name)) from None
