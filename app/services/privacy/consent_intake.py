"""What every entrance (web form, ad platforms, booking page, API, import) says about consent,
turned into records with their proof. A form's answer is read per channel; the generic box
("consent", "rgpd", "opt in"...) stands for e-mail, SMS and phone, and a per-channel answer
overrides it. Nothing said means nothing recorded: an unticked box that is not posted is not a
refusal, only an explicit "no" is."""
from flask_babel import gettext as _

from app.services.importing.mapping import header_key
from app.services.privacy.consent import record_consent

# The channels a generic consent box covers (post needs no consent: see may_prospect).
GENERIC_CHANNELS = ("email", "sms", "phone")
# Consent fields (as the import mapping names them) and the channel each answers; None: generic.
CONSENT_FIELDS = {"consent": None, "consent_email": "email", "consent_sms": "sms",
                  "consent_phone": "phone", "consent_post": "post"}
# Answers compared by importing.mapping.header_key ("Oui" is "oui", "opt-in" is "opt in").
YES = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x", "on", "opt in", "optin",
                 "subscribed", "abonne", "accepte", "checked", "given"})
NO = frozenset({"non", "n", "no", "false", "faux", "0", "off", "opt out", "optout",
                "unsubscribed", "desabonne", "refuse", "unchecked", "refused"})


def answer_state(text):
    """"given", "refused" or None (blank or unreadable: nothing is recorded)."""
    key = header_key(str(text))
    if key in YES:
        return "given"
    if key in NO:
        return "refused"
    return None


def channel_states(answers):
    """{consent field: answer} -> {channel: state}; the per-channel answers override the
    generic one."""
    states = {}
    generic = answer_state(answers["consent"]) if answers.get("consent") is not None else None
    if generic:
        states.update(dict.fromkeys(GENERIC_CHANNELS, generic))
    for field, channel in CONSENT_FIELDS.items():
        if channel and answers.get(field) is not None:
            state = answer_state(answers[field])
            if state:
                states[channel] = state
    return states


def record_states(session, lead, states, method, stated_at=None, **proof):
    """One record per channel (in a stable order). Returns True when the suppression list
    kept a "given" out (the person withdrew or was erased)."""
    refused = False
    for channel in sorted(states):
        proof_of_channel = {k: v for k, v in proof.items() if v not in (None, "")}
        record = record_consent(session, lead, channel, states[channel], method, stated_at,
                                **proof_of_channel)
        refused = refused or record is None
    return refused


def suppressed_message():
    """The outcome an entrance reports when the suppression list kept a consent out."""
    return _("consentement non repris : personne désinscrite")
