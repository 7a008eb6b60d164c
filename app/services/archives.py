"""Zip containers (Office, OpenDocument) checked before anything inflates them, against zip
bombs: how many members, how big they say they are, how much they say they compress. What a
reader will inflate in full (openpyxl) is then inflated once by streaming, counting the bytes:
the declared sizes can lie. A member is only ever read with a bounded read."""
import lzma
import os
import struct
import zipfile
import zlib
from contextlib import contextmanager

from flask_babel import gettext as _

from app.services.errors import DomainError

MAX_MEMBERS = 5000
# zipfile builds an object per entry of the central directory before anyone can count them.
MAX_DIRECTORY_BYTES = 1024 * 1024
_END = struct.Struct("<4s4H2LH")  # the end of central directory record
_END_SIGNATURE = b"PK\x05\x06"
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_MEMBER_BYTES = 256 * 1024 * 1024
# openpyxl streams a workbook's worksheets but loads every other part whole, as an XML tree or a
# list of strings several times the size of the text: those are held to much less. The shared
# strings of a real 100,000-row file fit; styles, workbook and properties are far smaller.
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_LOADED_PART_BYTES = 4 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# A corrupt deflate (or LZMA) stream raises the compressor's own error, which zipfile passes on.
CORRUPT_ERRORS = (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError,
                  zlib.error, lzma.LZMAError)
# Inflating more than 100 times is refused, as Apache POI does (its minimum inflate ratio,
# 0.01); small members may compress better than that and are not a danger.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
CHUNK = 1024 * 1024


class UnsafeArchive(DomainError):
    """Refused after inspection: the file is well-formed but would not be safe to open."""
    status = 422


def _too_many():
    return UnsafeArchive(_("Fichier refusé : l'archive contient plus de %(max)d éléments.",
                           max=MAX_MEMBERS), field="file")


def _check_directory(path):
    """Refuse an archive whose central directory is too big to be read, from its end record
    alone (a ZIP64 one too: no Office file needs it)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        handle.seek(max(0, size - _END.size - 0xFFFF))  # the record, then a comment of 64 KB
        tail = handle.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END.size:
        raise zipfile.BadZipFile("no end of central directory record")
    entries, directory_size = _END.unpack_from(tail, at)[4:6]
    if entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        raise _too_many()


@contextmanager
def opened(path):
    """The archive, opened once its directory proved small and its members' sizes sane."""
    _check_directory(path)
    with zipfile.ZipFile(path) as archive:
        _check_members(archive)
        yield archive


def _check_members(archive):
    """Refuse an archive by what its directory declares, before inflating anything."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _too_many()
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise UnsafeArchive(_("Fichier refusé : son contenu décompressé serait trop "
                                  "volumineux (bombe de décompression probable)."), field="file")
        if info.file_size > RATIO_FROM_BYTES and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeArchive(_("Fichier refusé : un élément de l'archive est compressé plus "
                                  "de %(ratio)d fois (bombe de décompression probable).",
                                  ratio=MAX_RATIO), field="file")


def _check_inflation(archive):
    """Inflate every member by chunks, memory flat, counting what comes out: a member that
    gives more than it declares, or whose checksum fails, is refused."""
    lying = UnsafeArchive(_("Fichier refusé : l'archive est corrompue ou ne contient pas ce "
                            "qu'elle annonce."), field="file")
    for info in archive.infolist():
        produced = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    produced += len(chunk)
                    if produced > info.file_size:
                        raise lying
        except CORRUPT_ERRORS:
            raise lying


def check_spreadsheet(path):
    """An .xlsx file that openpyxl may be given; UnsafeArchive if not, DomainError if it is
    no zip file at all."""
    try:
        with opened(path) as archive:
            types = _part_types(archive)
            if any(info.file_size > _loaded_limit(types.get(info.filename))
                   for info in archive.infolist()):
                raise UnsafeArchive(_("Fichier Excel refusé : trop de textes ou de styles pour "
                                      "être lu sans risque ; enregistrez-le en CSV."), field="file")
            _check_inflation(archive)
    except CORRUPT_ERRORS:
        raise DomainError(_("Fichier Excel illisible."), field="file")


def _loaded_limit(kinds):
    """How big a part may inflate to, by what it says it is: worksheets are streamed."""
    if kinds == {_WORKSHEET}:
        return MAX_MEMBER_BYTES
    if kinds == {_SHARED_STRINGS}:
        return MAX_SHARED_STRINGS_BYTES
    return MAX_LOADED_PART_BYTES


def _part_types(archive):
    """What each part says it is, as openpyxl finds types: by the package's
    [Content_Types].xml (read bounded, parsed as openpyxl does)."""
    from openpyxl.xml.functions import fromstring

    try:
        root = fromstring(read_member(archive, "[Content_Types].xml", MAX_MANIFEST_BYTES))
    except (KeyError, SyntaxError, ValueError, *CORRUPT_ERRORS):
        return {}  # openpyxl will not read it either
    types = {}
    for part in root.iter(_TYPES):
        types.setdefault(part.get("PartName", "").lstrip("/"), set()).add(part.get("ContentType"))
    return types


def read_member(archive, name, size):
    """At most `size` bytes of a member, however big it says or turns out to be."""
    with archive.open(name) as member:
        return member.read(size)
