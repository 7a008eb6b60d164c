"""Zip bombs for the tests and bench/uploads.py, built in a blink and small on disk: a member
is a block repeated, deflated once (after a full flush the compressor restarts, so each copy
of the block deflates to the same bytes)."""
import struct
import zipfile
import io
import zlib

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = 0x21  # 1980-01-01


def member(name, block=b"\0" * (1 << 20), times=1, head=b"", tail=b"", declared=None):
    """(name, deflated data, crc, size, declared size) of `head + block * times + tail`."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    copy = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * times + len(tail)
    return name.encode(), start + copy * times + end, crc, size, size if declared is None else declared


def zip_of(*members):
    """The zip file's bytes; each member's directory entries give its declared size."""
    out, directory = io.BytesIO(), []
    for name, data, crc, _size, declared in members:
        offset = out.tell()
        out.write(_LOCAL.pack(b"PK\x03\x04", 20, 0, 8, 0, _DOS_DATE, crc, len(data), declared,
                              len(name), 0) + name + data)
        directory.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 8, 0, _DOS_DATE, crc, len(data),
                                       declared, len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    out.write(b"".join(directory))
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), out.tell() - start,
                        start, 0))
    return out.getvalue()


def odt_bomb(size=1 << 30):
    """An .odt whose `mimetype` inflates to `size` bytes (1 GiB: about 1 MB on disk)."""
    return zip_of(member("mimetype", times=size >> 20),
                  member("content.xml", b"<office:document-content/>"))


def xlsx_parts(replacement):
    """The members of a real one-sheet workbook (xlsxwriter's), one of them (shared strings,
    styles...) replaced."""
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    workbook.add_worksheet().write_row(0, 0, ["Nom", "E-mail"])
    workbook.close()
    with zipfile.ZipFile(out) as archive:
        return [member(name, archive.read(name)) for name in archive.namelist()
                if name.encode() != replacement[0]] + [replacement]


def xlsx_bomb(size=1100 << 20):
    """An .xlsx whose shared strings inflate to `size` bytes of real strings."""
    block = b"<si><t>bombe</t></si>" * (1 << 15)
    return zip_of(*xlsx_parts(member("xl/sharedStrings.xml", block, size // len(block),
                                     head=b'<sst xmlns="http://schemas.openxmlformats.org/'
                                          b'spreadsheetml/2006/main">', tail=b"</sst>")))


def lying_xlsx(declared=1000, size=256 << 20):
    """Its shared strings say they are `declared` bytes; inflated, they are `size`."""
    return zip_of(*xlsx_parts(member("xl/sharedStrings.xml", times=size >> 20,
                                     declared=declared)))


def crowded_zip(members=6000):
    """A zip of many tiny members (an .xlsx or .docx in name)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(members):
            archive.writestr(f"xl/m{n}.xml", "")
    return out.getvalue()
