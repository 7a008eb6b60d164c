"""Which lead field each column holds, suggested from French and English headers."""
import re

from flask_babel import lazy_gettext as _l

from app.services.contact import search_key
from models import FIELD_LABELS

# Lead fields a column can fill, with their labels in the mapping step.
FIELDS = {
    **{k: v for k, v in FIELD_LABELS.items() if k != "owner"},
    "full_name": _l("Nom complet"),
    "created_at": _l("Date de création"),
}

SYNONYMS = {
    "last_name": ["nom", "nom de famille", "last name", "lastname", "surname", "family name"],
    "first_name": ["prenom", "first name", "firstname", "given name"],
    "full_name": ["nom complet", "full name", "name", "contact", "your name", "nom et prenom",
                  "nom prenom", "prenom et nom", "votre nom"],
    "email": ["e mail", "email", "courriel", "mail", "adresse e mail", "email address",
              "adresse email", "e mail address", "your email", "votre email", "votre e mail"],
    "phone": ["telephone", "tel", "tel mobile", "mobile", "portable", "phone", "phone number",
              "numero de telephone", "gsm", "mobile phone", "your phone", "your tel",
              "votre telephone"],
    "company": ["societe", "entreprise", "company", "organisation", "organization", "raison sociale"],
    "source": ["source", "origine", "provenance", "lead source"],
    "campaign": ["campagne", "campaign", "utm campaign"],
    "status": ["statut", "status", "etat", "state"],
    "note": ["note", "notes", "commentaire", "commentaires", "comment", "comments", "remarque",
             "message", "your message", "votre message"],
    "created_at": ["date de creation", "cree le", "created", "created at", "creation date",
                   "date", "date de visite", "date d inscription"],
}
_LOOKUP = {name: field for field, names in SYNONYMS.items() for name in names}


def header_key(text):
    return re.sub(r"[^a-z0-9]+", " ", search_key(text)).strip()


def suggest(header):
    """{column index: field} for the headers we recognise (each field used once)."""
    mapping, used = {}, set()
    for index, title in enumerate(header):
        field = _LOOKUP.get(header_key(title))
        if field and field not in used:
            mapping[index] = field
            used.add(field)
    return mapping


def find_header_row(rows, limit=15):
    """The first row, among the first ones, where at least two headers are recognised
    (a title row above the header is common in Excel lists)."""
    for index, row in enumerate(rows[:limit]):
        if len(suggest(row)) >= 2:
            return index
    return 0


def clean_mapping(mapping, width):
    """Keep columns that exist and fields we know, each field once."""
    result, used = {}, set()
    for index, field in sorted((int(i), f) for i, f in mapping.items() if f):
        if 0 <= index < width and field in FIELDS and field not in used:
            result[index] = field
            used.add(field)
    return result
