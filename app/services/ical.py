"""iCalendar (RFC 5545) for appointments, built with vobject: the subscription feed of a user,
and the iTIP invitations (METHOD REQUEST / CANCEL) e-mailed to leads."""
import vobject
from sqlalchemy.orm.attributes import flag_modified

from models.base import utcnow

PRODID = "-//CRM Prospects//Agenda//FR"


def _utc(value):
    # vobject writes "Z" times for its own UTC object (it cannot name datetime.timezone.utc).
    return value.replace(tzinfo=vobject.icalendar.utc)


def _calendar(method=None, name=None):
    calendar = vobject.iCalendar()
    calendar.add("prodid").value = PRODID
    calendar.add("calscale").value = "GREGORIAN"
    if method:
        calendar.add("method").value = method
    if name:
        calendar.add("x-wr-calname").value = name
    return calendar


def _event(calendar, appointment, lead_url=None):
    event = calendar.add("vevent")
    lead = appointment.lead
    event.add("uid").value = appointment.uid
    event.add("dtstamp").value = _utc(utcnow().replace(microsecond=0))
    event.add("dtstart").value = _utc(appointment.starts_at)
    event.add("dtend").value = _utc(appointment.ends_at)
    event.add("sequence").value = str(appointment.sequence)
    event.add("summary").value = appointment.title or lead.full_name
    if appointment.place:
        event.add("location").value = appointment.place
    lines = [lead.full_name] + [v for v in (lead.company, lead.phone, lead.email, lead_url) if v]
    event.add("description").value = "\n".join(lines)
    event.add("status").value = "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED"
    if appointment.updated_at:
        event.add("last-modified").value = _utc(appointment.updated_at.replace(microsecond=0))
    return event


def _block(appointment, lead_url):
    """The appointment's VEVENT text, rebuilt only when it or its lead changed."""
    key = f"{appointment.sequence}|{appointment.updated_at}|{appointment.lead.updated_at}"[:80]
    if appointment.ical_key != key or not appointment.ical_block:
        calendar = _calendar()
        _event(calendar, appointment, lead_url(appointment.lead_id))
        text = calendar.serialize()
        appointment.ical_block = text[text.index("BEGIN:VEVENT"):text.index("END:VCALENDAR")]
        appointment.ical_key = key
        flag_modified(appointment, "updated_at")  # written as it is: a cache is no change
    return appointment.ical_block


def feed(appointments, name, lead_url):
    """A user's subscription: every appointment, cancelled ones marked CANCELLED. The caller
    commits, to keep the events built on the way."""
    head = _calendar(name=name).serialize()
    end = head.index("END:VCALENDAR")
    return head[:end] + "".join(_block(a, lead_url) for a in appointments) + head[end:]


def single_event(appointment):
    """One appointment as a calendar object resource, for a CalDAV server."""
    calendar = _calendar()
    _event(calendar, appointment)
    return calendar.serialize()


def invitation(appointment, organizer, attendee_email, attendee_name):
    """The iTIP message a mail client reads to add, move (same UID, higher SEQUENCE) or remove
    (METHOD CANCEL) the event in the recipient's calendar."""
    cancelled = appointment.status == "cancelled"
    calendar = _calendar(method="CANCEL" if cancelled else "REQUEST")
    event = _event(calendar, appointment)
    event.add("organizer").value = f"mailto:{organizer.email}"
    event.organizer.params["CN"] = [organizer.get_full_name()]
    event.add("attendee").value = f"mailto:{attendee_email}"
    event.attendee.params.update({"CN": [attendee_name], "ROLE": ["REQ-PARTICIPANT"],
                                  "PARTSTAT": ["NEEDS-ACTION"], "RSVP": ["FALSE"]})
    return calendar.serialize(), calendar.method.value
