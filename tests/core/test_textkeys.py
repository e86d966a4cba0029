"""core.textkeys: the one NFKC key and the one whitespace-free matching key."""
from __future__ import annotations

from xltasks.core.textkeys import nfkc, squash


def test_nfkc_folds_full_width_forms():
    assert nfkc("（市发改委）：１２３，") == "(市发改委):123,"
    assert nfkc("\u00a0待核算") == " 待核算"
    assert nfkc(None) == ""


def test_squash_is_the_matching_key_of_names_and_labels():
    assert squash(" 重 点 工 作\t") == squash("重点工作") == "重点工作"
    assert squash("市建委（市住建局） ") == "市建委(市住建局)"
    assert squash("\u3000市发改委\n") == "市发改委"
    assert squash(None) == ""
