"""Small builders for test data, written through the models (and the lead service)."""
import datetime as dt

from app.extensions import db
from app.services.leads import normalise_lead
from models import Appointment, Campaign, Interaction, Lead, Source

_counter = {"n": 0}


def _next():
    _counter["n"] += 1
    return _counter["n"]


def make_source(name=None, kind="manual"):
    source = Source(name=name or f"Source {_next()}", kind=kind)
    db.session.add(source)
    db.session.commit()
    return source


def make_campaign(name=None, source=None, platform="google_ads"):
    campaign = Campaign(name=name or f"Campagne {_next()}", source=source, platform=platform)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def make_lead(owner=None, **fields):
    n = _next()
    values = {"last_name": f"Nom{n}", "first_name": "Test", "email": f"lead{n}@example.com",
              "phone": f"06 12 {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}",
              "status": "new"}
    values.update(fields)
    lead = Lead(owner=owner, **values)
    normalise_lead(db.session, lead)
    db.session.add(lead)
    db.session.commit()
    return lead


def make_interaction(lead, user=None, kind="call", occurred_at=dt.datetime(2026, 3, 1, 10, 0),
                     **fields):
    item = Interaction(lead=lead, user=user, kind=kind, direction="outbound",
                       occurred_at=occurred_at, **fields)
    db.session.add(item)
    db.session.commit()
    return item


def make_appointment(lead, owner=None, start=dt.datetime(2026, 3, 2, 9, 0), status="planned",
                     **fields):
    item = Appointment(lead=lead, owner=owner, starts_at=start,
                       ends_at=start + dt.timedelta(hours=1), status=status, **fields)
    db.session.add(item)
    db.session.commit()
    return item
