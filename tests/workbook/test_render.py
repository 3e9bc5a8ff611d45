"""The sheet model and its xlsxwriter renderer: text stays text, digests survive a round trip."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.support.print_scale import column_widths
from xlpack.coordinator.sheet_writing import make_styles
from xlpack.model.definitions import load_scale
from xlpack.workbook.changes import changed_rows, model_digests, norm, pack, unpack
from xlpack.workbook.readback import Workbook
from xlpack.workbook.render import add_styles, render_sheet
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet, clean_text

SCALE = load_scale("ofsted-2009")
RISKY = ["=1+1", "+44 20 7946 0000", "-2 days", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")', "=", "  =A1"]


def render(sheet: Sheet, path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    st = make_styles(wb)
    add_styles(wb, st, SCALE)
    render_sheet(wb, st, sheet, SCALE)
    wb.close()
    return path


def drawn(sheet: Sheet, path: Path) -> list:
    """``sheet`` drawn by xlsxwriter at ``path`` with xlpack's styles; its streamed blocks, still to be written."""
    wb = xlsxwriter.Workbook(str(path))
    st = make_styles(wb)
    add_styles(wb, st, SCALE)
    streams: list = []
    render_sheet(wb, st, sheet, SCALE, streams)
    wb.close()
    return streams


def sheet_of(rows: list[list[CellLike]]) -> Sheet:
    cols = [Column("Text", 20), Column("Grade", 12), Column("Note", 20, style="editable", editable=True)]
    return Sheet("Data", "Title", ["Intro line"], [Block(cols, rows, name="Data", row=3)])


@pytest.mark.parametrize("text", RISKY)
def test_text_that_looks_like_a_formula_is_written_as_text(text: str, tmp_path: Path) -> None:
    path = render(sheet_of([[text, Cell("Good", "grade:Good"), ""]]), tmp_path / "t.xlsx")
    cell = openpyxl.load_workbook(path)["Data"]["A5"]
    assert (cell.value, cell.data_type) == (text, "s")
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_control_characters_are_dropped_and_line_ends_kept() -> None:
    assert clean_text("a\r\nb\rc\x07d\x0be") == "a\nb\ncde"
    assert clean_text("x" * 40000) == "x" * 32767
    assert clean_text("plain\ttext\n") == "plain\ttext\n"


def test_digests_match_what_a_reader_sees_and_find_the_typed_cell(tmp_path: Path) -> None:
    sheet = sheet_of([["alpha", Cell("Good", "grade:Good"), "typed later"], ["beta", None, ""], [3, 0.5, ""]])
    path = render(sheet, tmp_path / "d.xlsx")
    written = unpack(pack(model_digests(sheet)))
    rows = [(r, list(row)) for r, row in Workbook(path).iter_rows("Data")]
    assert list(changed_rows("Data", rows, written, {2}, 3)) == []
    rows[5][1][1] = "my note"  # typed into an empty cell of a written row
    rows.append((7, ["", "", "", "", "row below"]))
    lost = [str(c) for c in changed_rows("Data", rows, written, {2}, 3)]
    assert lost == ["Sheet 'Data', cell B6: 'my note'", "Sheet 'Data', cell E8: 'row below'"]


def test_sorting_rows_is_not_a_change(tmp_path: Path) -> None:
    sheet = sheet_of([["a", "Good", ""], ["b", "Adequate", ""], ["c", "Inadequate", ""]])
    path = render(sheet, tmp_path / "s.xlsx")
    rows = list(Workbook(path).iter_rows("Data"))
    rows[4], rows[6] = (4, rows[6][1]), (6, rows[4][1])
    assert list(changed_rows("Data", rows, unpack(pack(model_digests(sheet))), {2}, 3)) == []


def test_norm_is_the_same_for_written_and_read_values() -> None:
    from datetime import date, datetime

    assert norm(3) == norm(3.0) == "3"
    assert norm(date(2026, 3, 1)) == norm(datetime(2026, 3, 1)) == "2026-03-01"
    assert norm(datetime(2026, 3, 1, 12, 0, 0, 999_700)) == "2026-03-01 12:00:01"
    assert norm(" text \r\n") == "text"


def test_rows_streamed_into_the_file_have_the_digests_of_the_model(tmp_path: Path) -> None:
    """Streamed sheets get their digests as they are written: the same as the sheet model's, and what the
    rows read back from the file give."""
    from datetime import date, datetime

    from xlpack.workbook.changes import packed_digests, packed_sums
    from xlpack.workbook.stream import Stream, stream_rows

    rows: list[list[CellLike]] = [[f"row {i}", Cell("Good" if i % 2 else "Adequate", "grade:Good"), f"typed {i}",
                                  i * 1.5, date(2026, 3, 1 + i % 28), "=1+1" if i == 3 else " spaced "]
                                 for i in range(40)]
    cols = [Column("Text", 20), Column("Grade", 12), Column("Note", 20, style="editable", editable=True),
            Column("Number", 10, style="number"), Column("Date", 12, style="date"), Column("More", 12)]
    sheet = Sheet("Data", "Title", ["Intro line", "Second line"],
                  [Block(cols, rows, name="Data", row=3)], stream=True)
    path = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    st = make_styles(wb)
    add_styles(wb, st, SCALE)
    streams: list = []
    render_sheet(wb, st, sheet, SCALE, streams)
    wb.close()
    stream_rows(path, streams)
    (stream,) = streams
    assert isinstance(stream, Stream)
    assert packed_sums(stream.sums) == packed_digests(sheet)
    read = [(r, list(row)) for r, row in Workbook(path).iter_rows("Data")]
    assert list(changed_rows("Data", read, unpack(packed_digests(sheet)), {2}, 3)) == []
    assert isinstance(read[4][1][4], (date, datetime))


def test_streamed_cells_keep_their_style_when_two_styles_are_alike(tmp_path: Path) -> None:
    """xlsxwriter gives two equal formats one index but records it on the first only: streamed cells must
    still get it (a wrapped column lost its wrapping once)."""
    from xlpack.workbook.stream import stream_rows

    cols = [Column("Text", 20, style="wrap"), Column("Intro-like", 20, style="intro")]  # equal formats
    sheet = Sheet("Data", "Title", ["Intro"], [Block(cols, [["a long text " * 5, "b"]], name="Data", row=3)],
                  stream=True)
    path = tmp_path / "w.xlsx"
    stream_rows(path, drawn(sheet, path))
    ws = openpyxl.load_workbook(path)["Data"]
    assert ws["A5"].alignment.wrap_text and ws["B5"].alignment.wrap_text


def _spanning_sheet(stream: bool, intro: list[str]) -> Sheet:
    """A grid whose answers span three columns of 10, under a table of four columns, with a block beside."""
    table = Block([Column("Name", 20), *(Column(f"Form {i}", 10) for i in range(3))],
                  [["x", "Good", "Good", "Adequate"]], row=3)
    answers = Block([Column("Question", 20, style="row_label"), Column("Answer", 30, style="grid", span=3)],
                    [["Who", "Parent"], ["Words", "=1+1 " + "a long answer that wraps " * 3], ["Date", None]],
                    row=6)
    beside = Block([Column("Detail", 12, style="row_label"), Column("Value", 15, style="grid")],
                   [["Age", "5-9"], ["Area", "North"]], row=6, col=5)
    return Sheet("Data", "Title", intro, [table, answers, beside], stream=stream)


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("intro", [[], ["An intro line, merged across the sheet"]])
def test_a_spanning_column_is_merged_across_the_columns_it_covers(streamed: bool, intro: list[str],
                                                                  tmp_path: Path) -> None:
    """A grid's last column may cover several sheet columns: each row's cells merged, the value (text kept as text)
    in the first, the others styled alike (borders round the whole); the columns keep their own widths, the row
    its height for the width they make together; the digests are those of what a reader sees."""
    from xlpack.workbook.changes import packed_digests, packed_sums
    from xlpack.workbook.stream import Stream, stream_rows

    sheet = _spanning_sheet(streamed, intro)
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    st = make_styles(wb)
    add_styles(wb, st, SCALE)
    streams: list = []
    render_sheet(wb, st, sheet, SCALE, streams if streamed else None)
    wb.close()
    if streamed:
        stream_rows(path, streams)
        (stream,) = streams
        assert isinstance(stream, Stream) and packed_sums(stream.sums) == packed_digests(sheet)
    ws = openpyxl.load_workbook(path)["Data"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert merged == {"B7:D7", "B8:D8", "B9:D9", "B10:D10", *(["A2:G2"] if intro else [])}  # the header, each row
    assert (ws["A8"].value, ws["B8"].value, ws["B9"].value, ws["B9"].data_type) == ("Who", "Parent",
                                                                                     sheet.blocks[1].rows[1][1], "s")
    assert ws["F8"].value == "Age" and ws["G9"].value == "North"  # the block beside, in its own columns
    assert ws["D8"].border.right.style and ws["D8"].border.right.style == ws["B8"].border.right.style
    widths = column_widths(ws)
    assert widths[2] == widths[3] == widths[4] and widths[2][0] < 11  # 10 characters each, not the span's 30
    assert sheet.blocks[1].columns[1].width == 30  # as wide as the three together
    assert ws.row_dimensions[9].height and ws.row_dimensions[9].height > 15  # the long answer wraps
    read = [(r, list(row)) for r, row in Workbook(path).iter_rows("Data")]
    assert list(changed_rows("Data", read, unpack(packed_digests(sheet)), set(), 3)) == []


def test_only_a_blocks_last_column_may_span_when_streamed(tmp_path: Path) -> None:
    from xlpack.workbook.stream import stream_rows

    sheet = Sheet("Data", "Title", [], [Block([Column("Wide", 20, span=2), Column("Then", 10)], [["a", "b"]],
                                              row=3)], stream=True)
    path = tmp_path / "n.xlsx"
    streams = drawn(sheet, path)
    with pytest.raises(ValueError, match="last column"):
        stream_rows(path, streams)


def test_streamed_rows_are_the_same_when_the_memo_of_short_texts_fills(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of short texts is emptied when full (row ids never repeat): the rows' XML and digests are those
    made with room for every text."""
    from xlpack.workbook import stream as stream_module

    rows: list[list[CellLike]] = [[f"form {i}:s{i % 13}", ["Good", "Adequate", "Inadequate"][i % 3], f"id {i}", "&<>"]
                                  for i in range(60)]
    cols = [Column("Row id", 20), Column("Grade", 12, style="wrap"), Column("Note", 20, style="editable",
                                                                            editable=True), Column("Odd", 8)]

    def streamed() -> tuple[list[str], dict[int, int]]:
        st = make_styles(xlsxwriter.Workbook(BytesIO(), {"in_memory": True}))
        stream = stream_module.Stream("Data", [Block(cols, rows, name="Data", row=3)], st)
        return list(stream_module.rows_xml(stream)), dict(stream.sums.items())

    roomy = streamed()
    monkeypatch.setattr(stream_module, "MEMO_ENTRIES", 3)
    full = streamed()
    assert full == roomy
    # the header, then the rows
    assert len(roomy[0]) == 61 and "id 59" in roomy[0][-1] and "&amp;&lt;&gt;" in roomy[0][1]
