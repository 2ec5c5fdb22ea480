"""Measuring an old Excel file (.xls: BIFF8 records in an OLE2 compound file) before calamine
reads it. Pure: no Flask, no database.

calamine parses every sheet of an .xls when the workbook is opened and builds each as one dense
rectangle from A1 to its last cell: a 5.6 KB file with one cell at A1 and one at IV65536 costs
+513 MB (bench/bench_upload_limits.py: upload_xls_unmeasured_rss_mb), each more such sheet as
much. So, as measure_xlsx does for .xlsx, the file's own structure is walked first, as calamine
will walk it: the compound file's sector chains to the Workbook stream, its BOUNDSHEET records
to each sheet, and each sheet's cell records to its last row and column. Anything this walk
cannot follow (a chain that loops or leaves the file, a sheet offset outside the stream, more
FAT than the file's size calls for) refuses the file rather than guessing; each sector is read
once at most, so the walk costs about the file's size.
"""
import struct

from .spreadsheet import BadFile, UploadLimits, check_extent

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_SHEETS = 64             # calamine builds every one; a plan list has one, an office's file a few

_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F
# Cell records as calamine reads them: row (2 bytes), column (2 bytes) first; MULRK and MULBLANK
# end with their last column.
_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0201, 0x0001, 0x0002, 0x0003,
          0x0004, 0x0005, 0x0406}
_MULTI = {0x00BD, 0x00BE}


def _broken() -> BadFile:
    return BadFile("这不是有效的 Excel（.xls）文件，或文件已损坏")


def _u32s(data: bytes) -> list:
    return list(struct.unpack(f"<{len(data) // 4}I", data[:len(data) // 4 * 4]))


class _Compound:
    """The compound file's sectors, FAT, directory and streams (MS-CFB), every step bounded."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != OLE_MAGIC:
            raise _broken()
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _broken()
        self.size = 1 << shift
        self.sectors = max(0, (len(data) - self.size) // self.size)   # sectors after the header
        fat_count, self.dir_start = struct.unpack_from("<II", data, 0x2C)
        self.mini_cutoff, mini_fat_start, _, difat_start, difat_count = struct.unpack_from("<IIIII", data, 0x38)
        # One FAT sector maps size / 4 sectors: a file never needs more than its sectors call for.
        if fat_count > self.sectors // (self.size // 4) + 1 or difat_count > fat_count:
            raise _broken()
        difat = _u32s(data[0x4C:0x200])
        sector, seen = difat_start, set()
        while sector not in (_END, _FREE) and len(difat) < fat_count:
            if sector in seen:
                raise _broken()
            seen.add(sector)
            words = _u32s(self._sector(sector))
            difat += words[:-1]
            sector = words[-1]
        fat_sectors = [s for s in difat if s not in (_END, _FREE)][:fat_count]
        self.fat = []
        for s in fat_sectors:
            self.fat += _u32s(self._sector(s))
        self.mini_fat = _u32s(self._chain(mini_fat_start)) if mini_fat_start not in (_END, _FREE) else []
        self.entries = self._directory()

    def _sector(self, n: int) -> bytes:
        if n >= self.sectors:
            raise _broken()
        start = (n + 1) * self.size
        return self.data[start:start + self.size]

    def _chain(self, start: int, fat=None, read=None) -> bytes:
        fat, read = (self.fat if fat is None else fat), (read or self._sector)
        parts, sector, seen = [], start, set()
        while sector != _END:
            if sector >= len(fat) or sector in seen:
                raise _broken()     # out of the table, or a loop: each sector is read once at most
            seen.add(sector)
            parts.append(read(sector))
            sector = fat[sector]
        return b"".join(parts)

    def _directory(self) -> dict:
        raw = self._chain(self.dir_start)
        entries = {}
        for off in range(0, len(raw) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", raw, off + 64)
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = raw[off:off + name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", raw, off + 116)
            entries.setdefault((kind, name.lower()), (start, size))
        if (5, "root entry") not in entries:
            raise _broken()
        return entries

    def stream(self, name: str) -> bytes | None:
        entry = self.entries.get((2, name.lower()))
        if entry is None:
            return None
        start, size = entry
        if size > len(self.data) * 2:
            raise _broken()
        if size < self.mini_cutoff:
            root = self._chain(self.entries[(5, "root entry")][0])
            data = self._chain(start, self.mini_fat, lambda n: root[n * 64:n * 64 + 64])
        else:
            data = self._chain(start)
        if len(data) < size:
            raise _broken()
        return data[:size]


def _records(stream: bytes, offset: int):
    """(type, body) of the BIFF records from `offset` to the substream's EOF (or the stream's end)."""
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4:offset + 4 + length]
        yield kind, body
        if kind == _EOF:
            return
        offset += 4 + length


def measure_xls(data: bytes, limits: UploadLimits) -> list:
    """[(sheet offset, rows, columns, cells)] of every sheet calamine would build, each checked
    as rows x columns against the limits, and all of them together against max_cells."""
    book = _Compound(data)
    stream = book.stream("Workbook") or book.stream("Book")
    if stream is None:
        raise BadFile("这不是 Excel 表格文件（可能是 Word 等其他 Office 文件）")
    offsets = []
    for kind, body in _records(stream, 0):
        if kind == _FILEPASS:
            raise BadFile("Excel 文件设置了密码，请去掉密码后再上传")
        if kind == _BOUNDSHEET and len(body) >= 4:
            offsets.append(struct.unpack_from("<I", body)[0])
    if not offsets:
        raise BadFile("Excel 文件里没有工作表")
    if len(offsets) > MAX_SHEETS:
        raise BadFile(f"Excel 文件里有 {len(offsets)} 个工作表，最多 {MAX_SHEETS} 个，请只保留名单所在的工作表")
    sheets, total = [], 0
    for offset in offsets:
        if offset + 4 > len(stream) or struct.unpack_from("<H", stream, offset)[0] != _BOF:
            raise _broken()
        rows = columns = cells = 0
        for kind, body in _records(stream, offset):
            if kind in _CELLS and len(body) >= 4:
                row, col = struct.unpack_from("<HH", body)
            elif kind in _MULTI and len(body) >= 6:
                row = struct.unpack_from("<H", body)[0]
                col = struct.unpack_from("<H", body, len(body) - 2)[0]
            else:
                continue
            cells += 1
            rows, columns = max(rows, row + 1), max(columns, col + 1)
        check_extent(rows, columns, cells, limits)
        total += rows * columns
        if total > limits.max_cells:
            raise BadFile(f"表格区域太大：各工作表共 {total:,} 个单元格，最多 {limits.max_cells:,} 个。"
                          f"请删除多余的工作表、行和列")
        sheets.append((offset, rows, columns, cells))
    return sheets
