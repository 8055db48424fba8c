"""Reading uploaded supply lists and ledgers: what the person sees, and the messages they get."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from shared.uploads import Row, UploadError, UploadTooLarge, read_table

ALIASES = {
    "title": ["title", "岗位名称", "岗位"],
    "wage_min": ["wage_min", "最低月薪", "月薪下限"],
    "headcount": ["headcount", "招聘人数"],
    "start_date": ["start_date", "到岗日期"],
}


def read(data: bytes, *, filename: str | None = "upload", max_bytes: int = 1 << 20, max_rows: int = 50_000):
    return read_table(data, filename=filename, aliases=ALIASES, max_bytes=max_bytes, max_rows=max_rows)


def xlsx(*rows: list[object]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_utf8_csv_with_bom_and_chinese_headers():
    data = "\ufeff岗位名称,最低月薪,招聘人数\n焊工, 5000 ,3\n".encode("utf-8")

    table = read(data)

    assert table.rows == [Row(2, {"title": "焊工", "wage_min": "5000", "headcount": "3"})]
    assert table.unknown_headers == []


def test_gbk_csv_as_saved_by_chinese_excel():
    data = "岗位名称,最低月薪\n农机驾驶员,4500\n".encode("gbk")

    assert read(data).rows == [Row(2, {"title": "农机驾驶员", "wage_min": "4500"})]


def test_tab_separated_text():
    data = "岗位\t月薪下限\n保洁员\t3000\n".encode()

    assert read(data).rows == [Row(2, {"title": "保洁员", "wage_min": "3000"})]


def test_semicolon_separated_text():
    assert read(b"title;wage_min\ncook;4200\n").rows == [Row(2, {"title": "cook", "wage_min": "4200"})]


def test_utf16_unicode_text_export():
    data = "岗位名称\t最低月薪\r\n厨师\t4800\r\n".encode("utf-16")

    assert read(data).rows == [Row(2, {"title": "厨师", "wage_min": "4800"})]


def test_csv_short_rows_padded_long_rows_cut_blank_rows_counted():
    data = "岗位名称,最低月薪,招聘人数\n焊工\n,,\n\n电工,6000,2,extra\n".encode()

    assert read(data).rows == [
        Row(2, {"title": "焊工", "wage_min": "", "headcount": ""}),
        Row(5, {"title": "电工", "wage_min": "6000", "headcount": "2"}),
    ]


def test_xlsx_numbers_dates_blank_rows_and_unknown_columns():
    data = xlsx(
        ["岗位名称", "最低月薪", "备注", "招聘人数", "到岗日期", "联系人"],
        ["焊工", 5000, "急招", 3.0, date(2024, 3, 1), "王"],
        [None, None, None, None, None, None],
        [],
        ["电工", 5500.5, None, True, datetime(2024, 4, 2, 8, 30), None],
    )

    table = read(data, filename="岗位供给清单.xlsx")

    assert table.rows == [
        Row(2, {"title": "焊工", "wage_min": "5000", "headcount": "3", "start_date": "2024-03-01"}),
        Row(5, {"title": "电工", "wage_min": "5500.5", "headcount": "true", "start_date": "2024-04-02 08:30:00"}),
    ]
    assert table.unknown_headers == ["备注", "联系人"]


def test_xlsx_title_row_above_the_header_keeps_row_numbers():
    data = xlsx(["2024年兴安盟岗位供给清单"], ["岗位名称", "最低月薪"], ["护工", 3800])

    assert read(data).rows == [Row(3, {"title": "护工", "wage_min": "3800"})]


def test_header_aliases_with_full_width_characters_stars_and_units():
    data = "岗位名称＊, 最低月薪（元）,ＨＥＡＤＣＯＵＮＴ,到岗 日期(yyyy-mm-dd)\n司机,5200,1,2024-05-01\n".encode()

    table = read(data)

    assert table.rows == [
        Row(2, {"title": "司机", "wage_min": "5200", "headcount": "1", "start_date": "2024-05-01"}),
    ]
    assert table.unknown_headers == []


def test_too_large_names_the_limit():
    with pytest.raises(UploadTooLarge) as raised:
        read(b"title\n" + b"x\n" * 600_000, max_bytes=1 << 20)

    assert raised.value.limit == 1 << 20
    assert "1 MB" in str(raised.value)


def test_too_large_small_limit_in_kb():
    with pytest.raises(UploadTooLarge, match="512 KB"):
        read(b"x" * 600_000, max_bytes=512 * 1024)


def test_empty_file():
    with pytest.raises(UploadError, match='"ledger.csv" is empty'):
        read(b"", filename="ledger.csv")


def test_blank_lines_only():
    with pytest.raises(UploadError, match="is empty"):
        read(b"\n ,, \n\n")


def test_binary_garbage():
    with pytest.raises(UploadError, match="binary data"):
        read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filename="photo.csv")


def test_truncated_xlsx():
    data = xlsx(["岗位名称"], ["焊工"])

    with pytest.raises(UploadError, match="not an Excel workbook; save it as .xlsx or .csv"):
        read(data[: len(data) // 2])


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(UploadError, match="not an Excel workbook"):
        read(buffer.getvalue())


def test_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (50 << 20))

    with pytest.raises(UploadError, match="unpacks to far more data"):
        read(buffer.getvalue())


def test_old_xls_is_refused_by_content_not_name():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

    with pytest.raises(UploadError, match=r'"台账.xlsx" is an old .xls .*save it as .xlsx or .csv'):
        read(data, filename="C:\\Users\\staff\\台账.xlsx")


def test_html_saved_as_xls():
    with pytest.raises(UploadError, match="web page"):
        read(b"<html><table><tr><td>\xe5\xb2\x97\xe4\xbd\x8d</td></tr></table></html>", filename="export.xls")


def test_no_known_headers_lists_some_expected():
    with pytest.raises(UploadError, match="no known column headers; expected e.g. title/岗位名称"):
        read("姓名,电话\n张三,13800000000\n".encode())


def test_duplicate_headers_are_named():
    with pytest.raises(UploadError, match='"岗位名称" and "岗位" are both title'):
        read("岗位名称,岗位,最低月薪\n焊工,焊工,5000\n".encode())


def test_max_rows_exceeded_names_the_limit():
    data = b"title\n" + b"cook\n\n" * 4

    assert len(read(data, max_rows=4).rows) == 4
    with pytest.raises(UploadError, match="more than 3 data rows"):
        read(data, max_rows=3)


def test_quoted_csv_cells_with_delimiters_and_newlines():
    data = b'title,wage_min\n"cook, night shift",4000\n"line\ntwo",1\nwelder,5000\n'

    rows = read(data).rows

    assert [row.number for row in rows] == [2, 3, 4]
    assert rows[0].values["title"] == "cook, night shift"
