"""Demo and benchmark data: sources, campaigns, reps, leads, interactions, appointments.

Leads are written with bulk INSERTs in batches, so a million rows take minutes, not hours.
"""
import datetime as dt
import json
import random

from sqlalchemy import func, insert

from app.services.contact import search_key
from app.services.lead_stats import count_in
from models import Appointment, Campaign, Interaction, Lead, Source
from models.base import utcnow

FIRST_NAMES = ["Marie", "Jean", "Sophie", "Pierre", "Camille", "Luc", "Julie", "Nicolas", "Léa",
               "Thomas", "Chloé", "Hugo", "Manon", "Louis", "Emma", "Gabriel", "Inès", "Arthur",
               "Zoé", "Raphaël", "Élodie", "Mathieu", "Anaïs", "Théo", "Sarah", "Antoine"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
              "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
              "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
              "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
              "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
              "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis"]
COMPANIES = ["Boulangerie Dupain", "Garage du Centre", "Cabinet Lemoine", "Atelier Bois & Co",
             "Pharmacie des Halles", "Hôtel Bellevue", "Immo Conseil", None, None, None]
SOURCES = [("Google Ads", "google_ads"), ("Meta Lead Ads", "meta"), ("Site web", "web_form"),
           ("Salon de Lyon", "import"), ("Saisie manuelle", "manual")]
CAMPAIGNS = [("Printemps 2026 – Recherche", "google_ads", 0), ("Remarketing Facebook", "meta", 1),
             ("Formulaire contact", "other", 2), ("Salon Lyon 2026", "event", 3),
             ("Black Friday", "google_ads", 0)]
STATUS_WEIGHTS = [("new", 35), ("in_progress", 35), ("converted", 18), ("abandoned", 12)]
REPS = [("claire.martin", "Claire", "Martin"), ("julien.petit", "Julien", "Petit"),
        ("nadia.benali", "Nadia", "Benali")]
ABANDON_REASONS = ["Budget insuffisant", "A choisi un concurrent", "Injoignable", "Pas de besoin"]


def ensure_catalog(session):
    """Demo sources and campaigns (idempotent). Returns (source ids, campaign rows)."""
    sources = []
    for name, kind in SOURCES:
        source = session.query(Source).filter_by(name=name).first()
        if source is None:
            source = Source(name=name, kind=kind)
            session.add(source)
        sources.append(source)
    session.flush()
    campaigns = []
    today = dt.date.today()
    for name, platform, source_index in CAMPAIGNS:
        campaign = session.query(Campaign).filter_by(name=name).first()
        if campaign is None:
            campaign = Campaign(name=name, platform=platform, source=sources[source_index],
                                start_date=today - dt.timedelta(days=120),
                                budget=5000, spend=random.Random(name).randint(500, 4000))
            session.add(campaign)
        campaigns.append(campaign)
    session.flush()
    return [s.id for s in sources], [(c.id, c.source_id) for c in campaigns]


def lead_rows(count, start, source_ids, campaigns, owner_ids, rng, days=365):
    """Generate `count` lead dicts numbered from `start` (unique e-mails and phones)."""
    now = utcnow()
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    for n in range(start, start + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        created = now - dt.timedelta(seconds=rng.randint(0, days * 86400))
        campaign_id, source_id = rng.choice(campaigns) if rng.random() < 0.8 else (None, rng.choice(source_ids))
        status = rng.choice(statuses)
        ascii_first, ascii_last = search_key(first), search_key(last).replace(" ", "")
        yield {
            "first_name": first,
            "last_name": last,
            "name_key": search_key(f"{last} {first}"),
            "email": f"{ascii_first}.{ascii_last}.{n}@exemple.fr",
            "phone": f"+3361{n:07d}" if n < 10_000_000 else None,
            "company": rng.choice(COMPANIES),
            "status": status,
            "source_id": source_id,
            "campaign_id": campaign_id,
            "owner_id": rng.choice(owner_ids) if owner_ids and rng.random() < 0.9 else None,
            "created_at": created,
            "updated_at": created,
            "converted_at": created + dt.timedelta(days=rng.randint(1, 30)) if status == "converted" else None,
            "abandon_reason": rng.choice(ABANDON_REASONS) if status == "abandoned" else None,
            "first_contacted_at": created + dt.timedelta(hours=rng.randint(1, 72)) if status != "new" else None,
            "possible_duplicate": False,
            "consent_contact": rng.random() < 0.7,
        }


def seed_leads(session, count, owner_ids, batch=20_000, seed=42, progress=None):
    """Insert `count` demo leads in bulk after the existing ones. Returns the number inserted."""
    rng = random.Random(seed)
    source_ids, campaigns = ensure_catalog(session)
    start = (session.query(func.max(Lead.id)).scalar() or 0) + 1
    done = 0
    while done < count:
        size = min(batch, count - done)
        rows = list(lead_rows(size, start + done, source_ids, campaigns, owner_ids, rng))
        session.execute(insert(Lead.__table__), rows)  # Core executemany: one call per batch
        count_in(session, rows)
        done += size
        if progress:
            progress(done)
    return done


def seed_activity(session, owner_ids, lead_limit=200, seed=7):
    """Interactions and appointments on the most recent leads (demo screens, not benchmarks)."""
    rng = random.Random(seed)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    leads = session.query(Lead.id, Lead.owner_id, Lead.status, Lead.created_at).order_by(
        Lead.id.desc()).limit(lead_limit).all()
    interactions, appointments = [], []
    for lead_id, owner_id, status, created in leads:
        if status == "new":
            continue
        for k in range(rng.randint(1, 3)):
            when = created + dt.timedelta(hours=rng.randint(1, 240))
            kind = rng.choice(["call", "call", "email", "sms", "note"])
            interactions.append({
                "lead_id": lead_id, "kind": kind, "user_id": owner_id,
                "direction": "internal" if kind == "note" else "outbound",
                "occurred_at": min(when, now), "subject": None,
                "summary": rng.choice(["Premier appel, intéressé", "Messagerie, rappeler demain",
                                       "Devis envoyé", "Relance par e-mail"]),
                "duration_minutes": rng.randint(2, 25) if kind == "call" else None,
                "created_at": now, "updated_at": now,
            })
        if owner_id and rng.random() < 0.35:
            start = now + dt.timedelta(days=rng.randint(-10, 14), hours=rng.randint(-4, 4))
            start = start.replace(hour=rng.choice([8, 9, 12, 13, 14, 15]))
            appointments.append({
                "lead_id": lead_id, "owner_id": owner_id, "title": "Rendez-vous découverte",
                "starts_at": start, "ends_at": start + dt.timedelta(minutes=45),
                "place": rng.choice(["Visio", "Agence de Lyon", "Chez le client"]),
                "status": "done" if start < now else "planned", "created_at": now,
                "updated_at": now,
            })
    if interactions:
        session.execute(insert(Interaction), interactions)
    if appointments:
        session.execute(insert(Appointment), appointments)
    return len(interactions), len(appointments)


def refresh_statistics(engine):
    """After a bulk load: planner statistics, and on PostgreSQL the visibility map that lets
    counts and paging read indexes alone (VACUUM cannot run inside a transaction)."""
    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE lead"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def seed_follow_up(session, owner_ids):
    """What a new team would set up first: a booking page for the reps, a follow-up rule, an
    e-mail template (each only if missing)."""
    from models import BookingPage, EmailTemplate, FollowUpRule, User
    from models.booking import DEFAULT_HOURS

    if session.query(BookingPage).filter_by(slug="decouverte").first() is None:
        page = BookingPage(slug="decouverte", title="Rendez-vous découverte", slot_minutes=30,
                           working_hours=json.dumps(DEFAULT_HOURS), notice_hours=4,
                           horizon_days=30, place="Visio",
                           description="Trente minutes pour comprendre votre besoin.")
        page.members = session.query(User).filter(User.id.in_(owner_ids)).all()
        session.add(page)
    if session.query(FollowUpRule).count() == 0:
        session.add(FollowUpRule(name="Nouveau sans interaction", status="new", after_hours=4,
                                 escalate_after_hours=24))
    if session.query(EmailTemplate).count() == 0:
        session.add(EmailTemplate(
            name="Suite à votre demande", subject="Suite à votre demande, {{ prenom }}",
            body="Bonjour {{ prenom }},\n\nMerci pour votre demande. Je vous propose d'en parler "
                 "de vive voix : {{ prochain_rdv }}\n\n{{ commercial }}\n{{ commercial_email }}"))
