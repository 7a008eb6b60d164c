"""The sheet's "Enregistrer un consentement" (LeadSheetView.consent): a rep appends what the
person told them (method oral, with a mandatory note). Records are never edited nor deleted,
so there is no route for that."""
from app.extensions import db
from app.services.privacy.consent import record_consent
from views.scoping import current_user

NOTE_LIMIT = 2000


def record_oral_consent(lead, form):
    """Append the form's record; DomainError (nothing written) without a note, or with an
    unknown channel or state."""
    record_consent(db.session, lead, form.get("channel", ""), form.get("state", ""), "oral",
                   user_id=current_user().id, note=(form.get("note") or "").strip()[:NOTE_LIMIT])
