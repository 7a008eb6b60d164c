"""Where leads come from: manual entry, a file, an ad platform, a web form, the API."""
import secrets

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Integer, String, Text

from models.base import TimestampMixin
from models.sealed import Sealed

SOURCE_KINDS = {
    "manual": _l("Saisie manuelle"),
    "import": _l("Import de fichier"),
    "google_ads": _l("Google Ads"),
    "meta": _l("Meta (Facebook / Instagram)"),
    "web_form": _l("Formulaire web"),
    "api": _l("API"),
    "booking": _l("Prise de rendez-vous"),
    "other": _l("Autre"),
}


def new_intake_token():
    return secrets.token_urlsafe(24)


class Source(TimestampMixin, Model):
    __tablename__ = "source"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), unique=True, nullable=False)
    kind = Column(String(20), nullable=False, default="manual")
    active = Column(Boolean, nullable=False, default=True)
    # Other names files give it, one a line ("Facebook Ads" for "Meta Lead Ads"): imports match
    # them like the name, without case or accents.
    aliases = Column(Text)
    # Secret that authenticates deliveries from this source (webhooks); hidden from reps.
    intake_token = Column(String(64), unique=True, nullable=False, default=new_intake_token)
    # Web form: where to send the visitor afterwards, and {form field: lead field} overrides.
    thank_you_url = Column(String(500))
    field_mapping = Column(Text)
    # Web form: the consent wording its page shows, and its version, kept as the proof of
    # consents its form does not post a wording for.
    consent_wording = Column(Text)
    consent_version = Column(String(50))
    # Meta lead ads: the app secret signs notifications, the page token reads the leads.
    meta_app_secret = Column(Sealed)
    meta_page_token = Column(Sealed)

    def kind_label(self):
        return str(SOURCE_KINDS.get(self.kind, self.kind))

    def __repr__(self):
        return self.name
