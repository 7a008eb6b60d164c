"""Appointments and interactions: real date-time input in Europe/Paris, stored in UTC."""
import datetime as dt

from app.extensions import db
from models import Appointment, Interaction
from tests.factories import make_lead


def login_rep(client, accounts):
    rep = accounts.create("rep", "Commercial", first_name="Claire")
    accounts.login(client, "rep")
    return rep


def test_appointment_form_has_a_datetime_input(client, accounts):
    login_rep(client, accounts)
    body = client.get("/appointments/add").get_data(as_text=True)
    assert 'type="datetime-local"' in body and 'name="starts_at"' in body


def test_paris_wall_time_is_stored_in_utc_across_daylight_saving(client, accounts):
    rep = login_rep(client, accounts)
    lead = make_lead(owner=rep)
    for start, end, utc_hour in (("2026-03-28T10:00", "2026-03-28T11:00", 9),   # winter, UTC+1
                                 ("2026-03-30T10:00", "2026-03-30T11:00", 8)):  # summer, UTC+2
        response = client.post("/appointments/add", data={
            "lead": str(lead.id), "title": "Découverte", "starts_at": start, "ends_at": end,
            "status": "planned", "place": "Visio"})
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
        appt = db.session.query(Appointment).order_by(Appointment.id.desc()).first()
        assert appt.starts_at.hour == utc_hour and appt.owner_id == rep.id
    listing = client.get("/appointments/list/").get_data(as_text=True)
    assert "28/03/2026 10:00" in listing and "30/03/2026 10:00" in listing


def test_appointment_edit_form_shows_local_time(client, accounts):
    rep = login_rep(client, accounts)
    lead = make_lead(owner=rep)
    appt = Appointment(lead=lead, owner=rep, starts_at=dt.datetime(2026, 7, 1, 7, 30),
                       ends_at=dt.datetime(2026, 7, 1, 8, 30), status="planned")
    db.session.add(appt)
    db.session.commit()
    body = client.get(f"/appointments/edit/{appt.id}").get_data(as_text=True)
    assert 'value="2026-07-01T09:30"' in body


def test_appointment_bad_dates_are_refused(client, accounts):
    rep = login_rep(client, accounts)
    lead = make_lead(owner=rep)
    for start, end, message in (("demain", "2026-03-28T11:00", "Date et heure invalides"),
                                ("2026-03-29T02:30", "2026-03-29T04:00", "existe pas"),
                                ("2026-10-25T02:30", "2026-10-25T04:00", "existe deux fois"),
                                ("2026-03-28T11:00", "2026-03-28T10:00", "La fin doit être après le début")):
        response = client.post("/appointments/add", data={
            "lead": str(lead.id), "starts_at": start, "ends_at": end, "status": "planned"})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and message in body
        assert f'value="{end}"' in body  # what was typed stays on the form
    assert db.session.query(Appointment).count() == 0


def test_appointment_on_lead_sheet_tab(client, accounts):
    rep = login_rep(client, accounts)
    lead = make_lead(owner=rep)
    db.session.add(Appointment(lead=lead, owner=rep, title="Signature", status="planned",
                               starts_at=dt.datetime(2026, 5, 4, 12), ends_at=dt.datetime(2026, 5, 4, 13)))
    db.session.commit()
    body = client.get(f"/leads/show/{lead.id}").get_data(as_text=True)
    assert "Signature" in body and "04/05/2026 14:00" in body


def test_logging_a_call_dates_first_contact_and_moves_a_new_lead_forward(client, accounts):
    rep = login_rep(client, accounts)
    lead = make_lead(owner=rep)
    response = client.post(f"/interactions/add?_flt_0_lead={lead.id}", data={
        "kind": "call", "direction": "outbound", "occurred_at": "2026-03-01T09:15",
        "summary": "Intéressé", "duration_minutes": "12"})
    assert response.status_code == 302
    db.session.refresh(lead)
    interaction = db.session.query(Interaction).one()
    assert interaction.user_id == rep.id and interaction.lead_id == lead.id
    assert lead.status == "in_progress" and lead.first_contacted_at == dt.datetime(2026, 3, 1, 8, 15)


def test_interaction_bad_values(client, accounts):
    rep = login_rep(client, accounts)
    lead = make_lead(owner=rep)
    body = client.post(f"/interactions/add?_flt_0_lead={lead.id}", data={
        "kind": "fax", "direction": "outbound", "occurred_at": "2026-03-01T09:15",
        "duration_minutes": "-5"}).get_data(as_text=True)
    assert db.session.query(Interaction).count() == 0
    assert "Not a valid choice" in body or "choix" in body.lower()


def test_api_appointment_with_timezone_offset(client, accounts):
    rep = accounts.create("rep", "Commercial")
    lead = make_lead(owner=rep)
    headers = accounts.token(client, "rep")
    response = client.post("/api/v1/appointment/", headers=headers, json={
        "lead": lead.id, "starts_at": "2026-03-02T09:00:00", "ends_at": "2026-03-02T08:00:00"})
    assert response.status_code == 422
    assert "La fin doit être après le début" in str(response.get_json())
    response = client.post("/api/v1/appointment/", headers=headers, json={
        "lead": lead.id, "starts_at": "2026-03-02T09:00:00", "ends_at": "2026-03-02T10:00:00",
        "status": "planned"})
    assert response.status_code == 201, response.get_json()
    assert db.session.get(Appointment, response.get_json()["id"]).owner_id == rep.id


def test_api_filters_leads_by_source(client, accounts):
    from tests.factories import make_source

    accounts.create("boss", "Responsable")
    headers = accounts.token(client, "boss")
    ads = make_source("Ads")
    wanted = make_lead(source=ads)
    make_lead()
    response = client.get(f"/api/v1/lead/?q=(filters:!((col:source,opr:rel_o_m,value:{ads.id})))",
                          headers=headers)
    assert [r["id"] for r in response.get_json()["result"]] == [wanted.id]
    accounts.login(client, "boss")
    sheet = client.get(f"/sources/show/{ads.id}").get_data(as_text=True)
    assert f"/leads/show/{wanted.id}" in sheet  # the source's leads tab


def test_the_rep_hears_of_appointments_a_manager_sets_moves_or_cancels(client, accounts):
    from models import Notification

    accounts.create("boss", "Responsable")
    claire = accounts.create("claire", "Commercial")
    lead = make_lead(owner=claire, last_name="Martin")
    accounts.login(client, "boss")
    form = {"lead": lead.id, "owner": claire.id, "title": "Démo", "status": "planned",
            "starts_at": "2030-03-04T10:00", "ends_at": "2030-03-04T11:00"}
    client.post("/appointments/add", data=form)
    appointment = db.session.query(Appointment).one()
    client.post(f"/appointments/edit/{appointment.id}", data={**form, "starts_at": "2030-03-05T10:00",
                                                              "ends_at": "2030-03-05T11:00"})
    client.post(f"/appointments/edit/{appointment.id}", data={**form, "status": "cancelled",
                                                              "starts_at": "2030-03-05T10:00",
                                                              "ends_at": "2030-03-05T11:00"})
    titles = [n.title for n in db.session.query(Notification).filter_by(
        user_id=claire.id, event="appointment").order_by(Notification.id)]
    assert titles == ["Rendez-vous avec Test Martin le 04/03/2030 10:00",
                      "Rendez-vous avec Test Martin modifié : 05/03/2030 10:00",
                      "Rendez-vous avec Test Martin du 05/03/2030 10:00 annulé"]
    accounts.login(client, "claire")  # her own changes tell nobody
    client.post(f"/appointments/edit/{appointment.id}", data={**form, "starts_at": "2030-03-06T10:00",
                                                              "ends_at": "2030-03-06T11:00"})
    assert db.session.query(Notification).filter_by(user_id=claire.id).count() == 3
