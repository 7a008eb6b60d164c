"""A file's status text -> one of the CRM's four statuses.

Beside the CRM's own codes and labels (French and English), the lead statuses and lifecycle or
deal stages that HubSpot, Salesforce, Pipedrive, Zoho and Brevo export by default. "Qualified"
(Salesforce, Zoho, Brevo) is a lead worth working on, not a sale: here "converted" means won.
Values are compared by `header_key`: any case, no accents, `_` `-` `/` and spaces alike.
"""
from app.services.importing.mapping import header_key
from models import STATUSES

_VENDOR_STATUSES = {
    "new": [
        "nouveau", "nouvelle", "a contacter", "a traiter", "non contacte",
        "open", "open not contacted", "not contacted", "subscriber", "lead", "unassigned",
    ],
    "in_progress": [
        "en cours", "contacte", "qualifie", "en negociation", "relance", "a relancer",
        "in progress", "working", "working contacted", "contacted", "attempted to contact",
        "connected", "open deal", "nurturing", "qualified", "pre qualified", "contact in future",
        "marketingqualifiedlead", "marketing qualified lead", "salesqualifiedlead",
        "sales qualified lead", "opportunity", "negotiation", "proposal", "follow up",
    ],
    "converted": [
        "converti", "gagne", "client", "signe",
        "converted", "won", "closed won", "closed converted", "customer", "evangelist",
    ],
    "abandoned": [
        "abandonne", "perdu", "sans suite", "non qualifie",
        "abandoned", "lost", "closed lost", "closed not converted", "unqualified",
        "not qualified", "bad timing", "junk lead", "lost lead", "deleted", "disqualified",
    ],
}


STATUS_WORDS = {
    **{header_key(str(label)): code for code, label in STATUSES.items()},
    **{header_key(code): code for code in STATUSES},
    **{header_key(word): code for code, words in _VENDOR_STATUSES.items() for word in words},
}


def known_status(text):
    """The CRM status code a text stands for, or None."""
    return STATUS_WORDS.get(header_key(text))
