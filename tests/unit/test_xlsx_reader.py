"""The lean XLSX reader: the values openpyxl would give, from workbooks as Excel and as openpyxl write them, and the
hostile ones refused."""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook, load_workbook

from shared import xlsx_reader
from shared.uploads import UploadError, read_table
from shared.xlsx_guard import Budget, GuardedArchive

ALIASES = {"name": ["name", "姓名"], "id_number": ["id_number", "身份证号码"], "phone": ["phone", "联系电话"],
           "born": ["born", "出生日期"], "wage": ["wage", "期望月薪"]}

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.sheet.main+xml"/>'
                  b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.spreadsheetml.worksheet+xml"/>'
                  b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.spreadsheetml.sharedStrings+xml"/>'
                  b'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.styles+xml"/></Types>')
_PACKAGE_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             b'<workbookPr/><sheets><sheet name="\xe5\x8f\xb0\xe8\xb4\xa6" sheetId="1" r:id="rId1"/></sheets></workbook>')
# As Excel writes them: the sheet's target absolute, the shared strings and styles beside it.
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  b'worksheet" Target="/xl/worksheets/sheet1.xml"/>'
                  b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  b'sharedStrings" Target="sharedStrings.xml"/>'
                  b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                  b'styles" Target="styles.xml"/></Relationships>')
# Style 0 general, 1 a built-in date (14), 2 a custom date format, 3 text ("@").
_STYLES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;\xe5\xb9\xb4&quot;m&quot;\xe6\x9c\x88'
           b'&quot;d&quot;\xe6\x97\xa5&quot;"/></numFmts>'
           b'<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
           b'<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
           b'<xf numFmtId="176" applyNumberFormat="1"/><xf numFmtId="49" applyNumberFormat="1"/></cellXfs>'
           b'</styleSheet>')


def excel_like(sheet_rows: str, shared: list[str], *, extra_shared: str = "") -> bytes:
    """A workbook laid out as Excel saves one: a shared-string table, styles, the sheet's rows as given."""
    sst = "".join(f"<si><t>{text}</t></si>" for text in shared) + extra_shared
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _PACKAGE_RELS, "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS, "xl/styles.xml": _STYLES,
        "xl/sharedStrings.xml": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.'
                                 f'openxmlformats.org/spreadsheetml/2006/main">{sst}</sst>').encode(),
        "xl/worksheets/sheet1.xml": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http:/'
                                     '/schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/>'
                                     f'<sheetData>{sheet_rows}</sheetData></worksheet>').encode(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def read(data: bytes):
    return read_table(data, filename="台账.xlsx", aliases=ALIASES, max_bytes=5 << 20)


def lean(data: bytes) -> list[tuple[int, dict[int, xlsx_reader.Value]]]:
    with GuardedArchive(io.BytesIO(data), part_limit=1 << 20, token_limit=64 << 10, budget=Budget(10)) as archive:
        return list(xlsx_reader.first_sheet(archive))


def by_openpyxl(data: bytes) -> list[tuple[int, dict[int, xlsx_reader.Value]]]:
    with warnings.catch_warnings():  # the minimal styles part above has no named style, which openpyxl mentions
        warnings.simplefilter("ignore", UserWarning)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        rows = [(number, {i: v for i, v in enumerate(values) if v is not None})
                for number, values in enumerate(sheet.iter_rows(values_only=True), 1)]
        return [(number, cells) for number, cells in rows if cells]
    finally:
        book.close()


SHARED = ["姓名", "身份证号码", "联系电话", "出生日期", "期望月薪", "乌力吉", "15222219830101001X", "13900000001",
          "其其格"]


def test_shared_strings_dates_and_numbers_as_excel_writes_them():
    rows = ('<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v>'
            '</c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
            # An ID-card number typed as text (style 3, "@"), one as a number; a date in a built-in format; a wage.
            '<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" s="3" t="s"><v>6</v></c><c r="C2" t="s"><v>7</v></c>'
            '<c r="D2" s="1"><v>30317</v></c><c r="E2"><v>4500</v></c></row>'
            '<row r="4"><c r="A4" t="s"><v>8</v></c><c r="B4"><v>152222198301010025</v></c>'
            '<c r="C4"><v>13900000002</v></c><c r="D4" s="2"><v>30318.5</v></c><c r="E4"><v>4500.5</v></c></row>')
    data = excel_like(rows, SHARED)

    table = read(data)

    assert [(row.number, row.values) for row in table.rows] == [
        (2, {"name": "乌力吉", "id_number": "15222219830101001X", "phone": "13900000001", "born": "1983-01-01",
             "wage": "4500"}),
        (4, {"name": "其其格", "id_number": "152222198301010025", "phone": "13900000002",
             "born": "1983-01-02 12:00:00", "wage": "4500.5"}),
    ]
    assert lean(data) == by_openpyxl(data)


def test_an_18_digit_number_stays_exact_and_a_float_reads_as_excel_shows_it():
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>身份证号码</t></is></c></row>'
            '<row r="2"><c r="A2"><v>152222198301010025</v></c></row>'
            '<row r="3"><c r="A3"><v>1.52222198301010E+17</v></c></row>')
    values = [row.values["id_number"] for row in read(excel_like(rows, [])).rows]

    # The first is exact (an integer in the file, never made a float); the second was saved as a float by its
    # writer, whose last digits are gone: the ID-card check then refuses it rather than registering a wrong number.
    assert values[0] == "152222198301010025"
    assert len(values[1]) == 18 and values[1] != "152222198301010025"


def test_inline_strings_rich_text_and_cells_without_references():
    rows = ('<row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>联系电话</t></is></c></row>'
            '<row><c t="inlineStr"><is><r><t>宝</t></r><r><rPr><b/></rPr><t>音</t></r></is></c>'
            '<c t="inlineStr"><is><t xml:space="preserve"> 13900000003 </t></is></c></row>'
            '<row><c t="s"><v>0</v></c><c t="b"><v>1</v></c></row>')
    extra = '<si><r><t>那</t></r><r><t>顺</t></r><rPh sb="0" eb="1"><t>なしゅん</t></rPh></si>'
    data = excel_like(rows, [], extra_shared=extra)

    assert [(row.number, row.values) for row in read(data).rows] == [
        (2, {"name": "宝音", "phone": "13900000003"}), (3, {"name": "那顺", "phone": "true"})]
    assert lean(data) == by_openpyxl(data)


def test_a_workbook_openpyxl_wrote_reads_as_openpyxl_reads_it():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "出生日期", "期望月薪", "备注"])
    sheet.append(["白音", "152222198301010025", date(1983, 1, 1), 4500, "=A2"])
    sheet.append([None, None, None, None, None])
    sheet.append(["张秀英", 152222198301010025, datetime(1983, 1, 2, 8, 30), 4500.25, True])
    sheet.append(["王芳", "15222219830101001x", time(8, 30), -1, "#N/A"])
    sheet["H9"] = "far right"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    assert lean(data) == by_openpyxl(data)
    assert [row.values.get("born") for row in read(data).rows] == ["1983-01-01", "1983-01-02 08:30:00", "08:30:00"]


def test_a_document_type_declaration_with_entities_is_refused_in_any_part():
    laughs = ('<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    data = excel_like('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["姓名"])
    changed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                body = body.replace(b"?><sst", b"?>" + laughs.encode() + b"<sst").replace(b"<t>", b"<t>&c;")
            target.writestr(info.filename, body)

    with pytest.raises(UploadError, match="document type declaration"):
        read(changed.getvalue())


@pytest.mark.parametrize("broken", [
    '<row r="x"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>',  # a row number that is none
    '<row r="1"><c r="A1" t="s"><v>7</v></c></row>',  # a shared string that does not exist
    '<row r="1"><c r="ZZZZ1" t="inlineStr"><is><t>姓名</t></is></c></row>',  # past Excel's last column
])
def test_a_sheet_that_does_not_add_up_is_a_damaged_workbook(broken):
    with pytest.raises(UploadError, match="damaged workbook|not an Excel workbook"):
        read(excel_like(broken, ["姓名"]))


def test_a_workbook_without_its_workbook_part_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")

    with pytest.raises(UploadError, match="not an Excel workbook"):
        read(buffer.getvalue())


def test_a_chart_sheet_before_the_first_worksheet_is_passed_over():
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>5</v></c></row>'
    data = excel_like(rows, SHARED)
    changed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(changed, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                body = body.replace(b"<sheets>", b'<sheets><sheet name="chart" sheetId="2" r:id="rId9"/>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"'
                                    b"/></Relationships>")
            target.writestr(info.filename, body)

    assert [(row.number, row.values) for row in read(changed.getvalue()).rows] == [(2, {"name": "乌力吉"})]
