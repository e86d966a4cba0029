"""core.cells: the one helper for column letters and A1 references agrees with openpyxl's on every column."""
from __future__ import annotations

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from xltasks.core.cells import cell_ref, column_index, column_letter, split_ref


def test_every_column_both_ways_as_openpyxl():
    for col in range(1, 16385):
        letters = get_column_letter(col)
        assert column_letter(col - 1) == letters
        assert column_index(letters) == column_index_from_string(letters) - 1
        assert column_index(letters.lower()) == col - 1


def test_references():
    for ref in ("A1", "Z9", "AA10", "XFD1048576", "$B$12"):
        letters, row = coordinate_from_string(ref.replace("$", ""))
        assert split_ref(ref) == (row - 1, column_index_from_string(letters) - 1)
        assert cell_ref(*split_ref(ref)) == ref.replace("$", "")
    for bad in ("", "A", "12", "A0", "A01", "ZZZZ1", "A1:B2", "一1"):
        assert split_ref(bad) is None, bad
    assert column_index("") == column_index("ABCD") == column_index("A1") == -1
