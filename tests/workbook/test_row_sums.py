"""The row digests of streamed sheets, held compactly (RowSums), come out as the dict of sums gave them."""

from __future__ import annotations

import random

import pytest

from xlpack.workbook import changes
from xlpack.workbook.changes import RowSums, packed_sums, unpack


def _dict_sums(adds: list[tuple[int, int]]) -> dict[int, int]:
    """The sums as the stream kept them before: a dict, each row's sum modulo 2**32."""
    sums: dict[int, int] = {}
    for r, total in adds:
        sums[r] = (sums.get(r, 0) + total) & 0xFFFFFFFF
    return sums


def _packed_by_strings(sums: dict[int, int]) -> str:
    return "".join(f"{d:08x}" for d in sorted(sums.values()))


@pytest.mark.parametrize("seed", range(5))
def test_row_sums_pack_as_the_dict_of_sums_did(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    monkeypatch.setattr(changes, "_RUN", 7)  # many runs to merge, some of one sum
    rows = rng.sample(range(5000), 900)  # rows with gaps between them, not in order
    adds = [(r, rng.randrange(1, 1 << 34)) for r in rows]  # sums past 2**32 wrap round
    adds += [(r, rng.randrange(1, 1 << 32)) for r in rng.sample(rows, 300)]  # side-by-side blocks: a second share
    adds += [(rows[0], 5), (rows[0], (1 << 32) - 5 - _dict_sums(adds)[rows[0]])]  # a sum that comes to 0 is kept
    adds += [(r, 0xDEADBEEF) for r in (6000, 6001, 6003)]  # the same digest on several rows
    expected = _dict_sums(adds)
    held = RowSums()
    for r, total in adds:
        held.add(r, total)
    assert expected[rows[0]] == 0
    assert dict(held.items()) == expected
    assert len(held) == len(expected)
    assert held.packed() == packed_sums(held) == _packed_by_strings(expected) == packed_sums(expected)
    assert unpack(held.packed())[f"{0xDEADBEEF:08x}"] == 3


def test_row_sums_start_from_a_sheet_head_and_pack_empty() -> None:
    head = {0: 17, 3: 0xFFFFFFFF, 4: 1}
    held = RowSums(head)
    assert dict(held.items()) == head
    held.add(3, 1)  # wraps to 0, still a row
    assert held.packed() == "00000000" + "00000001" + "00000011"
    assert RowSums().packed() == "" and len(RowSums()) == 0
