"""Which lead field each column holds, suggested from French and English headers."""
import re

from flask_babel import lazy_gettext as _l

from app.services.contact import search_key
from models import FIELD_LABELS

# Lead fields a column can fill, with their labels in the mapping step.
FIELDS = {
    **FIELD_LABELS,
    "full_name": _l("Nom complet"),
    "created_at": _l("Date de création"),
    "first_contacted_at": _l("Premier contact"),
    "converted_at": _l("Converti le"),
    "consent": _l("Consentement"),
    "consent_email": _l("Consentement e-mail"),
    "consent_sms": _l("Consentement SMS"),
    "consent_phone": _l("Consentement appels"),
    "consent_post": _l("Consentement courrier"),
    "consent_at": _l("Date du consentement"),
}

# Headers as people write them, and as HubSpot, Salesforce, Pipedrive, Zoho, Brevo and
# Mailchimp write them in their exports (compared by header_key: "E-mail" is "e mail").
SYNONYMS = {
    "last_name": ["nom", "nom de famille", "last name", "lastname", "surname", "family name",
                  "lname", "person last name", "contact last name"],
    "first_name": ["prenom", "first name", "firstname", "given name", "fname",
                   "person first name", "contact first name"],
    "full_name": ["nom complet", "full name", "name", "contact", "your name", "nom et prenom",
                  "nom prenom", "prenom et nom", "votre nom", "person name", "contact name",
                  "lead name", "lead title"],
    "email": ["e mail", "email", "courriel", "mail", "adresse e mail", "email address",
              "adresse email", "e mail address", "your email", "votre email", "votre e mail",
              "person email", "primary email", "work email", "email work", "person email work",
              "contact email"],
    "phone": ["telephone", "tel", "tel mobile", "mobile", "portable", "phone", "phone number",
              "numero de telephone", "gsm", "mobile phone", "your phone", "your tel",
              "votre telephone", "mobile phone number", "sms", "person phone", "phone work",
              "person phone work", "person phone mobile", "phone mobile", "work phone",
              "contact phone", "telephone mobile", "mobilephone"],
    "company": ["societe", "entreprise", "company", "organisation", "organization",
                "raison sociale", "company name", "organization name", "account name",
                "person organization", "societe entreprise"],
    "source": ["source", "origine", "provenance", "lead source", "original source",
               "source de la piste", "leadsource"],
    "campaign": ["campagne", "campaign", "utm campaign", "campaign name", "first campaign",
                 "original campaign"],
    "status": ["statut", "status", "etat", "state", "lead status", "statut du lead",
               "statut de la piste", "lifecycle stage", "deal status", "lead status name",
               "hs lead status"],
    "note": ["note", "notes", "commentaire", "commentaires", "comment", "comments", "remarque",
             "message", "your message", "votre message", "description"],
    "owner": ["commercial", "responsable", "proprietaire", "owner", "lead owner",
              "contact owner", "deal owner", "person owner", "assigned to", "hubspot owner",
              "proprietaire du lead"],
    "created_at": ["date de creation", "cree le", "created", "created at", "creation date",
                   "date", "date de visite", "date d inscription", "create date",
                   "created date", "created time", "lead created", "person add time",
                   "lead created at", "date added", "add time"],
    "first_contacted_at": ["premier contact", "first contact", "first contacted",
                           "first contacted at", "date du premier contact"],
    "converted_at": ["converti le", "converted at", "converted date", "date de conversion",
                     "became a customer date", "won time", "close date", "closed date"],
    "consent": ["consentement", "consent", "opt in", "optin", "rgpd", "gdpr consent",
                "consentement contact", "gdpr", "acceptance", "accepte d etre contacte"],
    "consent_email": ["consentement email", "consentement e mail", "consent email",
                      "email consent", "optin email", "opt in email", "optin e mail",
                      "email opt in", "email optin", "newsletter", "accepte email"],
    "consent_sms": ["consentement sms", "consent sms", "sms consent", "optin sms", "opt in sms",
                    "sms opt in", "sms optin", "accepte sms"],
    "consent_phone": ["consentement telephone", "consentement appel", "consentement appels",
                      "consent phone", "phone consent", "optin telephone", "opt in telephone",
                      "optin phone", "opt in phone", "phone opt in", "accepte appels"],
    "consent_post": ["consentement courrier", "consent post", "consent mail post",
                     "optin courrier", "opt in courrier", "postal consent", "accepte courrier"],
    "consent_at": ["date du consentement", "consentement le", "consent date", "consent at",
                   "optin time", "opt in date", "confirm time", "gdpr consent date"],
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
