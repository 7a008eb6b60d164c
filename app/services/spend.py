"""Daily spend from Google Ads and Meta exports (CSV or XLSX, French or English headers, title
rows above the header). Importing the same file again replaces the same days: nothing counts
twice."""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func

from app.services.errors import DomainError
from app.services.importing.mapping import header_key
from app.services.importing.reading import iter_rows, sniff
from models import Campaign, CampaignSpend

COLUMNS = {
    "day": ["jour", "day", "date", "date de debut du rapport", "reporting starts", "debut des rapports"],
    "campaign": ["campagne", "campaign", "nom de la campagne", "campaign name"],
    "campaign_id": ["id de la campagne", "campaign id", "identifiant de la campagne"],
    "amount": ["cout", "cost", "montant depense eur", "amount spent eur", "montant depense",
               "amount spent", "depenses", "spend"],
}
_LOOKUP = {name: column for column, names in COLUMNS.items() for name in names}
_NUMBER = re.compile(r"[^\d,.\-]")


def _header(rows):
    for index, row in enumerate(rows[:15]):
        found = {}
        for position, title in enumerate(row):
            column = _LOOKUP.get(header_key(title))
            if column and column not in found:
                found[column] = position
        if {"day", "amount"} <= set(found) and ({"campaign", "campaign_id"} & set(found)):
            return index, found
    raise DomainError(_("Colonnes attendues introuvables : jour, campagne et coût (ou montant "
                        "dépensé)."), field="file")


def parse_amount(text):
    """1 234,56 / 1,234.56 / 1234.56 / 12,5 € -> Decimal."""
    cleaned = _NUMBER.sub("", text or "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "") if cleaned.rfind(".") > cleaned.rfind(",") \
            else cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def parse_day(text):
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime((text or "").strip()[:10], fmt).date()
        except ValueError:
            continue
    return None


def import_spend(session, path):
    """Returns {"days": rows imported, "unknown": campaign names not in the CRM, "rejected":
    rows with an unreadable day or amount}."""
    rows = list(iter_rows(path, sniff(path)))
    start, columns = _header(rows)
    campaigns = {c.name.casefold(): c.id for c in session.query(Campaign.id, Campaign.name)}
    by_external = {external: cid for cid, external in session.query(
        Campaign.id, Campaign.external_id).filter(Campaign.external_id.is_not(None))}
    totals, unknown, rejected = {}, set(), 0
    for row in rows[start + 1:]:
        cell = {name: (row[position] if position < len(row) else "") for name, position in columns.items()}
        if not any(cell.values()) or header_key(cell.get("campaign", "")).startswith("total"):
            continue  # blank lines and the exports' closing "Total" lines
        campaign_id = by_external.get(cell.get("campaign_id", "").strip()) or campaigns.get(
            cell.get("campaign", "").strip().casefold())
        day, amount = parse_day(cell["day"]), parse_amount(cell["amount"])
        if day is None or amount is None:
            rejected += 1
            continue
        if campaign_id is None:
            unknown.add(cell.get("campaign") or cell.get("campaign_id"))
            continue
        totals[(campaign_id, day)] = totals.get((campaign_id, day), Decimal("0")) + amount
    for (campaign_id, day), amount in totals.items():
        session.merge(CampaignSpend(campaign_id=campaign_id, day=day, amount=amount))
    return {"days": len(totals), "unknown": sorted(unknown), "rejected": rejected}


def spend_between(session, campaign_ids, start_day, end_day):
    """{campaign id: spend of the period}: the sum of its daily figures where a campaign has
    any (0 for a period without one), else the spend entered on the campaign, if any."""
    entered = dict(session.query(Campaign.id, Campaign.spend).filter(
        Campaign.id.in_(campaign_ids), Campaign.spend.is_not(None)))
    daily = {cid for (cid,) in session.query(CampaignSpend.campaign_id).filter(
        CampaignSpend.campaign_id.in_(campaign_ids)).distinct()}
    query = session.query(CampaignSpend.campaign_id, func.sum(CampaignSpend.amount)).filter(
        CampaignSpend.campaign_id.in_(daily))
    if start_day:
        query = query.filter(CampaignSpend.day >= start_day)
    if end_day:
        query = query.filter(CampaignSpend.day <= end_day)
    sums = dict(query.group_by(CampaignSpend.campaign_id).all())
    return {**entered, **{cid: sums.get(cid, Decimal("0")) for cid in daily}}
