"""Writes the sample files the tests read (see README.md here). Run it to remake them:

    .venv/bin/python tests/data/make_samples.py

The content is our own; each file keeps the traps of a real export of its kind. Tests import the
keys and secrets below rather than repeating them."""
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOOGLE_KEY = "test-google-key-7f3a"
META_APP_SECRET = "test-meta-app-secret-51c9"
META_LEADGEN_ID = "918273645501"
MADE_AT = dt.datetime(2026, 11, 16, 9, 0)


def sample(name):
    """The path of a sample file, as tests open it."""
    return str(HERE / name)


def excel_fr_csv():
    """Excel's "CSV (séparateur : point-virgule)": cp1252, CRLF, French headers and dates, local
    phone formats, a duplicate (case and trailing space), an invalid e-mail, a phone that is
    text, an unknown status with an impossible date, and a blank line."""
    rows = [
        ["Nom", "Prénom", "Courriel", "Tél. mobile", "Origine", "Statut", "Commentaire", "Créé le"],
        ["Marchetti", "Éloïse", "eloise.marchetti@exemple.fr", "06 52 31 47 80", "Google Ads", "Nouveau",
         "Rappeler avant 9h", "03/11/2026"],
        ["Lefèvre", "Noël", "noel.lefevre@exemple.fr", "0652314781", "Facebook Ads", "En cours", "",
         "04/11/2026"],
        ["Dubœuf", "Anaïs", "anais.d@exemple.fr", "+33 6 52 31 47 82", "Salon", "Converti",
         "Devis signé : 2 480 €", "05/11/2026"],
        ["Nowak", "Jérémie", "j.nowak@exemple.fr", "06.52.31.47.83", "Site web", "Abandonné",
         "Projet reporté", "06/11/2026"],
        ["Marchetti", "Éloïse", "ELOISE.MARCHETTI@exemple.fr ", "06 52 31 47 80", "Salon", "Nouveau",
         "même personne", "07/11/2026"],
        ["Petit", "Maël", "mael.petit@", "06 52 31 47 84", "Site web", "Nouveau", "", "07/11/2026"],
        ["Garnier", "Zoé", "zoe.garnier@exemple.fr", "pas de portable", "Site web", "Nouveau", "",
         "07/11/2026"],
        ["Rolland", "Yanis", "yanis.rolland@exemple.fr", "06 52 31 47 86", "Site web", "Tiède", "",
         "31/11/2026"],
        [""] * 8,
    ]
    return _csv(rows, delimiter=";", line_end="\r\n").encode("cp1252")


def utf8_bom_csv():
    """A CRM export: UTF-8 with BOM, commas, English headers, ISO dates, a quoted note over two
    lines, and cells that a spreadsheet would run as formulas."""
    rows = [
        ["First name", "Last name", "Email", "Phone", "Source", "Status", "Notes", "Created"],
        ["Grace", "Hopper", "grace.hopper@example.com", "+44 20 7946 0123", "Facebook Ads", "new",
         'Wants a call back\n"enterprise" tier', "2026-11-02"],
        ["Lucas", "Moreau", "lucas.moreau@example.com", "0623456789", "Google Ads", "in progress", "",
         "2026-11-03"],
        ["Zoë", "Fontaine", "zoe.fontaine@example.com", "+33 6 23 45 67 90", "Website", "converted",
         '=HYPERLINK("http://exemple.invalid")', "2026-11-04"],
        ["Ethan", "Baptiste", "ethan.baptiste@example.com", "+33 6 23 45 67 91", "Website", "abandoned",
         "@SUM(A1:A2)", "2026-11-05"],
    ]
    return _csv(rows, delimiter=",", line_end="\n").encode("utf-8-sig")


def _csv(rows, delimiter, line_end):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return out.getvalue()


def trade_show_xlsx():
    """A stand's visitor list: a title row and an empty row above the header, phones typed as
    numbers (Excel dropped the leading 0), real date cells, one invalid e-mail."""
    import openpyxl
    import time_machine

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Visiteurs"
    sheet.append(["Salon de l'Habitat Bordeaux — contacts du stand"])
    sheet.append([])
    sheet.append(["Nom", "Prénom", "E-mail", "Téléphone", "Entreprise", "Date de visite", "Intérêt"])
    visitors = [
        ["Lacombe", "Romane", "romane.lacombe@exemple.fr", 652314801, "Menuiserie Lacombe", (2026, 11, 14), "Fort"],
        ["Besson", "Timéo", "timeo.besson@exemple.fr", 752314802, "Besson Frères", (2026, 11, 14), "Moyen"],
        ["Carré", "Lou", "lou.carre@exemple.fr", "+33 6 52 31 48 03", None, (2026, 11, 15), "Faible"],
        ["Hamon", "Gabin", "gabin.hamon@exemple", 652314804, "Hamon SARL", (2026, 11, 15), "Fort"],
    ]
    for row in visitors:
        row[5] = dt.datetime(*row[5])
        sheet.append(row)
    for (cell,) in sheet.iter_rows(min_row=4, min_col=6, max_col=6):
        cell.number_format = "dd/mm/yyyy"
    workbook.properties.created = MADE_AT
    out = io.BytesIO()
    with time_machine.travel(MADE_AT.replace(tzinfo=dt.timezone.utc), tick=False):
        workbook.save(out)  # openpyxl stamps "modified" with the time of saving
    return _dated(out.getvalue())


def _dated(xlsx):
    """The same workbook with every member dated MADE_AT, so that remaking it changes no byte
    (openpyxl dates the sheet with its temporary file's time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            member.date_time = MADE_AT.timetuple()[:6]
            target.writestr(member, source.read(member.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def google_ads_lead():
    """A lead form webhook body as Google documents it."""
    columns = [("Full Name", "FULL_NAME", "Inès Delmas"),
               ("User Email", "EMAIL", "ines.delmas@exemple.fr"),
               ("User Phone", "PHONE_NUMBER", "+33652314899"),
               ("Postal Code", "POSTAL_CODE", "33000"),
               ("Surface à rénover ?", "surface_question", "80 - 120 m²")]
    return _json({
        "lead_id": "TeSt-Lead-Bdx-0042",
        "user_column_data": [{"column_name": name, "string_value": value, "column_id": column_id}
                             for name, column_id, value in columns],
        "api_version": "1.0",
        "form_id": 40000000777,
        "campaign_id": 371234567890123,
        "google_key": GOOGLE_KEY,
        "is_test": False,
        "gcl_id": "TeSt-gclid-Bdx-0042",
        "adgroup_id": 20000000777,
        "creative_id": 30000000777,
    })


def meta_leadgen_webhook():
    """A Meta lead ads notification (leadgen change), compact as Meta sends it."""
    created = 1795000000
    change = {"ad_id": "23851111111111002", "adgroup_id": "23851111111111002",
              "form_id": "777777777002", "leadgen_id": META_LEADGEN_ID, "created_time": created,
              "page_id": "109876543210"}
    body = {"object": "page", "entry": [{"id": "109876543210", "time": created,
                                         "changes": [{"field": "leadgen", "value": change}]}]}
    return json.dumps(body, separators=(",", ":")).encode()


def meta_signature(body):
    """Its X-Hub-Signature-256 header: HMAC-SHA256 of the exact bytes with the app secret."""
    return ("sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest() + "\n").encode()


def meta_graph_lead():
    """What GET /{leadgen_id} answers on the Graph API for that lead."""
    fields = {"full_name": "Baptiste Lemoine", "email": "baptiste.lemoine@exemple.fr",
              "phone_number": "+33652314888", "ville": "Mérignac"}
    return _json({
        "id": META_LEADGEN_ID,
        "created_time": "2026-11-18T08:12:45+0000",
        "ad_id": "23851111111111002",
        "form_id": "777777777002",
        "campaign_id": "23851111111111888",
        "field_data": [{"name": name, "values": [value]} for name, value in fields.items()],
    })


def _json(data):
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def write_all():
    webhook = meta_leadgen_webhook()
    files = {
        "leads_excel_fr.csv": excel_fr_csv(),
        "leads_utf8_bom.csv": utf8_bom_csv(),
        "salon_bordeaux_2026.xlsx": trade_show_xlsx(),
        "google_ads_lead.json": google_ads_lead(),
        "meta_leadgen_webhook.json": webhook,
        "meta_leadgen_webhook.signature": meta_signature(webhook),
        "meta_graph_lead.json": meta_graph_lead(),
    }
    for name, content in files.items():
        (HERE / name).write_bytes(content)


if __name__ == "__main__":
    write_all()
