"""Hostile spreadsheets built byte by byte: a sheet whose one cell sits far away, cells without
references, zip bombs, members that lie about their size. Small on disk, huge when read naively."""
import io
import struct
import zipfile
import zlib

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
         'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
         'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
         'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
         'officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
             'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
BOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
        '</workbook>')
BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
             'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>身份证号'
              '</t></is></c><c r="C1" t="inlineStr"><is><t>住址</t></is></c></row>')


def sheet_xml(body: str, dimension: str | None = None, root: str = "worksheet", prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><{p}{root} {xmlns}>{dim}<{p}sheetData>{body}'
            f'</{p}sheetData></{p}{root}>')


def workbook(sheet: str | bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def one_cell_at(ref: str) -> bytes:
    """A header row, then a single text cell at `ref` (XFD1048576: the last cell Excel has)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    return workbook(sheet_xml(HEADER_ROW + f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'))


def wide_row_without_refs(columns: int) -> bytes:
    """Cells may leave out r=: each is then the next column. calamine counts them so; so must we."""
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * columns
    return workbook(sheet_xml(HEADER_ROW + f"<row>{cells}</row>"))


def rows_without_refs(rows: int) -> bytes:
    return workbook(sheet_xml(HEADER_ROW + '<row><c><v>1</v></c></row>' * rows))


def spaces_bomb(unpacked: int) -> bytes:
    """A valid sheet followed by `unpacked` bytes of whitespace: it packs about 1000:1."""
    return workbook(sheet_xml(HEADER_ROW + " " * unpacked))


def lying_member(declared: int = 2000) -> bytes:
    """A sheet whose deflate stream runs on past the size the zip directory declares, with the
    CRC of just the declared prefix: Python's zipfile reads the prefix and is satisfied, a reader
    that follows the stream finds the cell at XFD1048576 behind it."""
    honest = sheet_xml(HEADER_ROW)
    hidden = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    body = (honest[:-len("</sheetData></worksheet>")] + " " * 4000 + hidden + "</sheetData></worksheet>").encode()
    data = bytearray(workbook(body))
    crc = zlib.crc32(body[:declared])
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo("xl/worksheets/sheet1.xml")
    # local header: crc at +14, sizes at +18/+22; central directory: crc at +16, uncompressed at +24
    struct.pack_into("<I", data, info.header_offset + 14, crc)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    central = _central_entry(bytes(data), "xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def _central_entry(data: bytes, name: str) -> int:
    at = data.index(b"PK\x01\x02")
    while True:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28:at + 34])
        if data[at + 46:at + 46 + name_len].decode() == name:
            return at
        at += 46 + name_len + extra_len + comment_len
