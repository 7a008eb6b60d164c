"""The register of processing (Art. 30 RGPD), gathered from the configuration and the database
as plain dicts: the page, its PDF and the docs read the same thing.

What it cannot know (legal bases, contracts with processors, where an SMTP host keeps its
data) it says is to be checked rather than guessing. Data categories come from a list of
sources so that later features (custom fields, issue 15) add theirs with `data_categories_from`."""
import datetime as dt
import ipaddress
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from app.services.contact import clean_text, normalise_email
from app.services.errors import DomainError
from app.timezones import crm_zone
from models import CalendarAccount, ProcessingRegister, Source
from models.processing_register import REGISTER_ROW_ID

# Defaults of settings other features add to config.py: the page works before they exist.
DEFAULTS = {"CRM_RETENTION_YEARS": 3, "CRM_RETENTION_CUSTOMER_YEARS": 5, "CRM_AUDIT_MONTHS": 12,
            "CRM_PURGE_IMPORT_DAYS": 90, "CRM_PURGE_EXPORT_DAYS": 30}
CONTACT_FIELDS = {"controller_name": 200, "controller_address": 500, "controller_email": 254,
                  "controller_phone": 40, "dpo_name": 200, "dpo_email": 254, "dpo_phone": 40}
LOCAL_HOSTS = {"localhost", "localhost.localdomain", ""}
# CalDAV services whose country is known; any other host is "à vérifier".
KNOWN_CALDAV = {"icloud.com": "Apple Inc.", "google.com": "Google LLC",
                "googleapis.com": "Google LLC"}


def _setting(config, name):
    value = config.get(name)
    return DEFAULTS[name] if value is None else value


# --- data categories -------------------------------------------------------------------------

def _standard_categories(_session):
    return [
        {"name": _("Identité"), "detail": _("Nom, prénom, société, statut professionnel ou "
                                            "particulier.")},
        {"name": _("Coordonnées"), "detail": _("Adresse e-mail, numéro de téléphone.")},
        {"name": _("Identifiants d'attribution"), "detail": _(
            "Source, campagne, paramètres utm_*, identifiants de clic (gclid, fbclid), "
            "identifiant du prospect et du formulaire sur la plateforme.")},
        {"name": _("Preuves de consentement"), "detail": _(
            "Par canal (e-mail, SMS, téléphone, courrier) : état, date, origine, page, texte "
            "affiché et sa version, champs de la plateforme, fichier et ligne d'import, adresse "
            "IP et navigateur, note du commercial.")},
        {"name": _("Interactions"), "detail": _(
            "Appels, e-mails, SMS, réunions, notes, rappels, relances, historique du prospect.")},
        {"name": _("Rendez-vous"), "detail": _("Date, lieu, objet, compte rendu.")},
        {"name": _("Pièces jointes"), "detail": _("Fichiers déposés sur la fiche du prospect.")},
        {"name": _("Utilisateurs du CRM"), "detail": _(
            "Nom, e-mail, rôle, connexions, actions enregistrées au journal d'audit.")},
    ]


DATA_CATEGORY_SOURCES = [_standard_categories]


def data_categories_from(source):
    """Add a source of data categories: `source(session)` returns [{"name", "detail"}]."""
    DATA_CATEGORY_SOURCES.append(source)
    return source


# --- recipients, processors and transfers ----------------------------------------------------

def _host_of(url):
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _is_local(host):
    if host in LOCAL_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback


def _to_check(name, service, host):
    return {"name": name, "service": service, "host": host, "country": _("à vérifier"),
            "basis": _("à vérifier")}


def _usa(name, service, host=""):
    return {"name": name, "service": service, "host": host, "country": _("États-Unis"),
            "basis": _("Cadre de protection des données UE–États-Unis (Data Privacy "
                       "Framework) si le destinataire y est certifié, sinon clauses "
                       "contractuelles types : à vérifier dans son contrat.")}


def _caldav(host):
    known = next((company for domain, company in KNOWN_CALDAV.items()
                  if host == domain or host.endswith("." + domain)), None)
    service = _("Agenda des utilisateurs (CalDAV)")
    return _usa(known, service, host) if known else _to_check(host, service, host)


def _recipients(session, config):
    found = []
    mail_host = (config.get("MAIL_SERVER") or "").lower()
    if not config.get("MAIL_SUPPRESS_SEND") and not _is_local(mail_host):
        found.append(_to_check(mail_host, _("Envoi des e-mails (SMTP)"), mail_host))
    if config.get("CRM_SMS_BACKEND") == "twilio":
        found.append(_usa("Twilio Inc.", _("Envoi des SMS"), "api.twilio.com"))
    kinds = set(session.scalars(select(Source.kind).distinct()))
    has_meta_token = session.scalar(select(Source.id).where(
        Source.meta_page_token.is_not(None)).limit(1)) is not None
    if "meta" in kinds or has_meta_token:
        found.append(_usa("Meta Platforms Ireland Ltd / Meta Platforms Inc.",
                          _("Formulaires publicitaires Meta (Facebook, Instagram) : réception "
                            "des prospects"), _host_of(config.get("META_GRAPH_URL") or "")))
    if "google_ads" in kinds:
        found.append(_usa("Google Ireland Ltd / Google LLC",
                          _("Formulaires publicitaires Google Ads : réception des prospects")))
    hosts = sorted({_host_of(url) for url in session.scalars(
        select(CalendarAccount.server_url).where(CalendarAccount.active.is_(True)))} - {""})
    found.extend(_caldav(host) for host in hosts)
    for url, service in ((config.get("SQLALCHEMY_DATABASE_URI"), _("Base de données")),
                         (config.get("REDIS_URL"), _("File des tâches (Redis)"))):
        host = _host_of(url or "")
        if url and not url.startswith("sqlite") and not _is_local(host):
            found.append(_to_check(host, service, host))
    return found


# --- the register ----------------------------------------------------------------------------

def _contacts(session, config):
    row = session.get(ProcessingRegister, REGISTER_ROW_ID)
    values = {name: getattr(row, name) if row else None for name in CONTACT_FIELDS}
    values["controller_name"] = values["controller_name"] or config.get("CRM_COMPANY_NAME")
    values["updated_at"] = row.updated_at if row else None
    return values


def _retention(config):
    years, customer_years = (_setting(config, "CRM_RETENTION_YEARS"),
                             _setting(config, "CRM_RETENTION_CUSTOMER_YEARS"))
    return [
        {"what": _("Prospects"), "period": _(
            "%(years)d ans après le dernier contact venu du prospect, puis anonymisation "
            "(avis 30 jours avant).", years=years)},
        {"what": _("Clients (prospects convertis)"), "period": _(
            "%(years)d ans après le dernier contact, puis anonymisation.", years=customer_years)},
        {"what": _("Journal d'audit"), "period": _(
            "%(months)d mois.", months=_setting(config, "CRM_AUDIT_MONTHS"))},
        {"what": _("Fichiers importés, contenus reçus des plateformes et formulaires"),
         "period": _("%(days)d jours, puis suppression (les compteurs restent).",
                     days=_setting(config, "CRM_PURGE_IMPORT_DAYS"))},
        {"what": _("Fichiers des lignes rejetées et des avertissements d'import, exports "
                   "préparés en tâche de fond"),
         "period": _("%(days)d jours, puis suppression.",
                     days=_setting(config, "CRM_PURGE_EXPORT_DAYS"))},
        {"what": _("Utilisateurs du CRM"), "period": _(
            "Tant que le compte est utile ; à supprimer au départ de la personne.")},
    ]


def _purposes():
    return [
        {"name": _("Prospection commerciale"), "detail": _(
            "Recevoir les demandes des formulaires, publicités et imports, les attribuer, "
            "contacter les prospects par e-mail, SMS, téléphone ou courrier selon leur "
            "consentement.")},
        {"name": _("Gestion des rendez-vous"), "detail": _(
            "Prise de rendez-vous en ligne et par les commerciaux, confirmations et rappels, "
            "synchronisation des agendas.")},
        {"name": _("Suivi des campagnes"), "detail": _(
            "Mesurer ce que chaque source et campagne apporte (statistiques agrégées).")},
        {"name": _("Suivi de la relation client"), "detail": _(
            "Historique des échanges et des rendez-vous avec les prospects devenus clients.")},
        {"name": _("Droits des personnes et sécurité"), "detail": _(
            "Preuves de consentement, liste d'opposition, demandes RGPD, journal d'audit des "
            "accès.")},
    ]


def _persons():
    return [
        {"name": _("Prospects"), "detail": _(
            "Personnes ayant rempli un formulaire, répondu à une publicité, pris rendez-vous ou "
            "figurant dans un fichier importé.")},
        {"name": _("Clients"), "detail": _("Prospects convertis.")},
        {"name": _("Utilisateurs du CRM"), "detail": _(
            "Commerciaux, responsables, équipe marketing, administrateurs.")},
    ]


def _security(config):
    measures = [
        _("Accès par compte nominatif et rôle ; un commercial ne voit que ses prospects."),
        _("Mots de passe soumis à une politique de complexité ; tentatives de connexion "
          "limitées."),
        _("Identifiants des services tiers (CalDAV, Meta) chiffrés dans la base."),
        _("Journal d'audit des consultations, exports et modifications."),
    ]
    if config.get("CRM_HSTS_SECONDS"):
        measures.append(_("Connexions en HTTPS imposées (HSTS), cookies sécurisés."))
    return measures


def processing_register(session, config):
    """The register as plain values: {contacts (as the form edits them), controller, dpo,
    updated_at, purposes, persons, data, retention, recipients, transfers, security}.
    `config` is the app's configuration (a mapping)."""
    contacts = _contacts(session, config)
    updated_at = contacts.pop("updated_at")
    recipients = _recipients(session, config)
    data = [category for source in DATA_CATEGORY_SOURCES for category in source(session)]
    return {
        "controller": {key[len("controller_"):]: contacts[key] for key in CONTACT_FIELDS
                       if key.startswith("controller_")},
        "dpo": {key[len("dpo_"):]: contacts[key] for key in CONTACT_FIELDS
                if key.startswith("dpo_")},
        "contacts": contacts, "updated_at": updated_at,
        "purposes": _purposes(), "persons": _persons(), "data": data,
        "retention": _retention(config),
        "recipients": recipients,
        # Those known to lie outside the EU; the others say "à vérifier" in their own row.
        "transfers": [r for r in recipients if r["country"] != _("à vérifier")],
        "security": _security(config),
    }


def save_contacts(session, user_id, values):
    """Store the controller's and DPO's names and contacts (strings, blank for none). Raises a
    DomainError naming the field, writing nothing, when one is too long or not an e-mail."""
    cleaned = {}
    for name, limit in CONTACT_FIELDS.items():
        value = clean_text(values.get(name) or "") or None
        if value and len(value) > limit:
            raise DomainError(_("%(count)d caractères au plus.", count=limit), field=name)
        if value and name.endswith("_email"):
            try:
                value = normalise_email(value)
            except DomainError as exc:
                raise DomainError(exc.message, field=name) from exc
        cleaned[name] = value
    row = session.get(ProcessingRegister, REGISTER_ROW_ID)
    if row is None:
        row = ProcessingRegister(id=REGISTER_ROW_ID)
        session.add(row)
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.updated_by_id = user_id
    session.flush()
    return row


def write_register_pdf(register, handle):
    """The register as an A4 PDF (xhtml2pdf; Helvetica renders French accents)."""
    from xhtml2pdf import pisa  # heavy: loaded when a PDF is asked for

    now = dt.datetime.now(dt.timezone.utc).astimezone(crm_zone()).replace(tzinfo=None)
    html = render_template("privacy/register_pdf.html", register=register, generated=now,
                           company=register["controller"]["name"]
                           or current_app.config["APP_NAME"])
    if pisa.CreatePDF(html, dest=handle, encoding="utf-8").err:
        raise RuntimeError("PDF generation failed")
