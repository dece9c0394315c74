"""A minimal BIFF8 .xls writer for the tests (no library here writes .xls): an OLE2 compound file
holding one worksheet of strings and numbers, with merged ranges. Enough for calamine to read."""

import struct


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff_string16(text: str) -> bytes:  # XLUnicodeString, UTF-16
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def workbook_stream(sheet: str, rows: list[list], merges=()) -> bytes:
    strings: list[str] = []
    index: dict[str, int] = {}
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, (int, float)):
                cells += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
            else:
                if value not in index:
                    index[value] = len(strings)
                    strings.append(value)
                cells += _record(0x00FD, struct.pack("<HHHI", r, c, 0, index[value]))
    width = max((len(row) for row in rows), default=0)
    sheet_part = (
        _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        + cells
        + (
            _record(0x00E5, struct.pack("<H", len(merges)) + b"".join(struct.pack("<HHHH", *m) for m in merges))
            if merges
            else b""
        )
        + _record(0x000A, b"")
    )
    sst = _record(0x00FC, struct.pack("<II", len(strings), len(strings)) + b"".join(_biff_string16(s) for s in strings))
    bof = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    name = struct.pack("<BB", len(sheet), 1) + sheet.encode("utf-16-le")
    boundsheet_len = 4 + 4 + 2 + len(name)
    globals_len = len(bof) + boundsheet_len + len(sst) + 4
    boundsheet = _record(0x0085, struct.pack("<IBB", globals_len, 0, 0) + name)
    return bof + boundsheet + sst + _record(0x000A, b"") + sheet_part


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    stream = stream + b"\0" * max(0, 4096 - len(stream))
    stream += b"\0" * (-len(stream) % 512)
    sectors = len(stream) // 512
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    fat = [fat_sector, end] + [2 + i + 1 for i in range(sectors - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1 if kind else 0)
            + struct.pack("<III", free, free, child)
            + bytes(16)
            + bytes(4)
            + bytes(16)
            + struct.pack("<III", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry(name, 2, free, 2, len(stream)) + bytes(256)
    return header + struct.pack("<128I", *fat) + directory + stream
