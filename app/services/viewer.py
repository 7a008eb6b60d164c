"""The row-level rule, given an explicit viewer.

A `Viewer` is who looks (a user id) and what their role lets them do. A request builds one from
the security manager's cached permission set (views/scoping.py); a job, the CLI or a feed builds
one from the user id it was given (`Viewer.for_user`). Every surface scopes its queries with the
functions below, so a rule written here holds for screens, APIs, jobs and feeds alike.

The rule: a viewer without the all-leads right sees only the leads they own, and of everything
hanging off a lead, only what hangs off those leads (an appointment follows its lead, not its
owner column: after a reassignment the former rep sees nothing of the lead).
"""
from dataclasses import dataclass

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import True_

from app.security import (LEAD, LEAD_EXPORT, LEAD_RIGHTS, PERM_ALL_LEADS, PERM_ASSIGN,
                          PERM_SET_STATUS, granted_pairs)
from models import (
    Appointment,
    Attachment,
    ExportFile,
    FollowUpAlert,
    ImportBatch,
    IntakeDelivery,
    Interaction,
    Lead,
    LeadAssignment,
    LeadDeletion,
    LeadEvent,
    LeadNote,
    Notification,
    Reminder,
    User,
)

# The (permission, view) pair behind each right of a Viewer.
RIGHTS = {
    "sees_all_leads": (PERM_ALL_LEADS, LEAD_RIGHTS),
    "can_assign": (PERM_ASSIGN, LEAD_RIGHTS),
    "can_set_status": (PERM_SET_STATUS, LEAD_RIGHTS),
    "can_delete": ("can_delete", LEAD),
    "can_export": ("can_export", LEAD_EXPORT),
}


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    sees_all_leads: bool = False
    can_assign: bool = False
    can_set_status: bool = False
    can_delete: bool = False
    can_export: bool = False

    @classmethod
    def from_permissions(cls, user_id, pairs):
        """The viewer of a user whose roles grant these (permission, view) pairs."""
        if user_id is None:
            return ANONYMOUS
        return cls(user_id, **{right: pair in pairs for right, pair in RIGHTS.items()})

    @classmethod
    def for_user(cls, session, user_id):
        """The viewer of a job, CLI command or feed: the same pairs a request would load.
        An unknown or deactivated user sees nothing."""
        user = session.get(User, user_id) if user_id is not None else None
        if user is None or not user.active:
            return ANONYMOUS
        return cls.from_permissions(user_id, granted_pairs(session, user_id))

    @property
    def owner_scope(self):
        """The owner id the figures of reports and dashboards are restricted to (None: all;
        0, which no user has, for the anonymous viewer: nothing)."""
        if self.sees_all_leads:
            return None
        return 0 if self.user_id is None else self.user_id


ANONYMOUS = Viewer(None)


# --- conditions ----------------------------------------------------------------------------

def visible_leads(viewer):
    """A condition on Lead: the leads this viewer may see."""
    if viewer.sees_all_leads:
        return true()
    if viewer.user_id is None:
        return false()
    return Lead.owner_id == viewer.user_id


def visible_lead_ids(viewer):
    """The ids of the visible leads, as a subquery for what hangs off a lead."""
    return select(Lead.id).where(visible_leads(viewer))


def _via_lead(column):
    def condition(viewer):
        if viewer.sees_all_leads:
            return true()
        if viewer.user_id is None:
            return false()
        return column.in_(visible_lead_ids(viewer))
    return condition


def _own(column):
    def condition(viewer):
        return false() if viewer.user_id is None else column == viewer.user_id
    return condition


def _appointments(viewer):
    # Follows its lead; one without a lead stays its owner's.
    if viewer.sees_all_leads:
        return true()
    return or_(_via_lead(Appointment.lead_id)(viewer),
               and_(Appointment.lead_id.is_(None), _own(Appointment.owner_id)(viewer)))


def _notifications(viewer):
    # One's own, and none about a lead one can no longer see.
    own = _own(Notification.user_id)(viewer)
    if viewer.sees_all_leads:
        return own
    return and_(own, or_(Notification.lead_id.is_(None), _via_lead(Notification.lead_id)(viewer)))


def _import_batches(viewer):
    return true() if viewer.sees_all_leads else _own(ImportBatch.created_by_id)(viewer)


def _intake_deliveries(viewer):
    return true() if viewer.sees_all_leads else and_(
        IntakeDelivery.lead_id.isnot(None), _via_lead(IntakeDelivery.lead_id)(viewer))


def _lead_deletions(viewer):
    # The lead is gone, so its owner at deletion time decides: a rep learns of their own.
    return true() if viewer.sees_all_leads else _own(LeadDeletion.owner_id)(viewer)


def _assignable_users(viewer):
    """Reps a viewer may give a lead to: any active user for managers, only oneself otherwise."""
    return User.active.is_(True) if viewer.can_assign else _own(User.id)(viewer)


CONDITIONS = {
    Lead: visible_leads,
    Interaction: _via_lead(Interaction.lead_id),
    Appointment: _appointments,
    Reminder: _via_lead(Reminder.lead_id),
    LeadNote: _via_lead(LeadNote.lead_id),
    LeadEvent: _via_lead(LeadEvent.lead_id),
    Attachment: _via_lead(Attachment.lead_id),
    LeadAssignment: _via_lead(LeadAssignment.lead_id),
    LeadDeletion: _lead_deletions,
    FollowUpAlert: _via_lead(FollowUpAlert.lead_id),
    Notification: _notifications,
    ImportBatch: _import_batches,
    IntakeDelivery: _intake_deliveries,
    ExportFile: _own(ExportFile.user_id),
    User: _assignable_users,
}


def scope(query, model, viewer):
    """`query` narrowed to the rows of `model` this viewer may see (left as it is when they
    see every row: no `WHERE true` for the planner to meet)."""
    condition = CONDITIONS[model](viewer)
    return query if isinstance(condition, True_) else query.filter(condition)


def is_scoped(model):
    return model in CONDITIONS


def scope_leads(query, viewer):
    return scope(query, Lead, viewer)


def may_see_lead(session, viewer, lead_id):
    """The lead if this viewer may see it, else None."""
    return scope_leads(session.query(Lead), viewer).filter(Lead.id == lead_id).first()


def user_sees_lead(session, user_id, lead_id):
    """Whether a user other than the one acting (a mentioned colleague, the recipient of a
    reminder or notice) may see a lead."""
    return may_see_lead(session, Viewer.for_user(session, user_id), lead_id) is not None
