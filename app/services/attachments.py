"""Files attached to leads: type read from the content, stored under random names outside
the web root, removed with their lead."""
import os
import secrets
import time
import unicodedata

from flask_babel import gettext as _

from app.services.archives import CORRUPT_ERRORS, opened, read_member
from app.services.errors import DomainError
from models import Attachment

# What the content must be for each accepted extension (the name alone proves nothing).
_OOXML = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
_ODF = {".odt": "application/vnd.oasis.opendocument.text",
        ".ods": "application/vnd.oasis.opendocument.spreadsheet",
        ".odp": "application/vnd.oasis.opendocument.presentation"}
CONTENT_TYPES = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    **_ODF,
}
_MAGIC = {
    ".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a"),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def clean_filename(name):
    """The name shown and offered on download: no path, no control characters."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:200]


def _content_matches(path, extension):
    with open(path, "rb") as handle:
        head = handle.read(16)
    if extension in _MAGIC:
        return head.startswith(_MAGIC[extension])
    if extension == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with opened(path) as archive:
            names = archive.namelist()
            if extension in _OOXML:
                return "[Content_Types].xml" in names and any(
                    n.startswith(_OOXML[extension]) for n in names)
            mimetype = read_member(archive, "mimetype", len(_ODF[extension]) + 2)
            return mimetype.decode("ascii", "replace").strip() == _ODF[extension]
    except (KeyError, *CORRUPT_ERRORS):
        return False


def store_attachment(session, lead, user, upload_path, original_name, directory, max_bytes):
    """Check and move an uploaded temporary file into the attachment store."""
    filename = clean_filename(original_name)
    extension = os.path.splitext(filename)[1].lower()
    if not filename or extension not in CONTENT_TYPES:
        raise DomainError(_("Type de fichier refusé. Acceptés : PDF, images, documents Office "
                            "et OpenDocument."), field="file")
    size = os.path.getsize(upload_path)
    if size == 0:
        raise DomainError(_("Le fichier est vide."), field="file")
    if size > max_bytes:
        raise DomainError(_("Fichier trop volumineux (%(max)d Mo au plus).",
                            max=max_bytes // (1024 * 1024)), field="file")
    if not _content_matches(upload_path, extension):
        raise DomainError(_("Le contenu du fichier ne correspond pas à son extension (%(ext)s).",
                            ext=extension), field="file")
    os.makedirs(directory, exist_ok=True)
    stored_name = secrets.token_hex(16) + extension
    os.replace(upload_path, os.path.join(directory, stored_name))
    item = Attachment(lead_id=lead.id, filename=filename, stored_name=stored_name, size=size,
                      content_type=CONTENT_TYPES[extension], uploaded_by_id=user.id)
    session.add(item)
    return item


def stored_path(directory, attachment):
    return os.path.join(directory, attachment.stored_name)


def remove_orphan_files(session, directory, now=None, grace_seconds=3600):
    """Files whose attachment row is gone (its lead was deleted, in whatever way): removed.
    A file younger than the grace period may belong to an upload not committed yet."""
    if not os.path.isdir(directory):
        return 0
    known = {name for (name,) in session.query(Attachment.stored_name)}
    limit = (now or time.time()) - grace_seconds
    removed = 0
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if name not in known and not name.startswith(".") and os.path.getmtime(path) < limit:
            os.remove(path)
            removed += 1
    return removed
