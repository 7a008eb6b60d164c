"""Journal d'audit (Admin): who opened, read, exported, changed, merged, reassigned, erased
which lead, when and from which address. Read-only: the log has no edit or delete route.

Pages are keyset pages (the `after` link carries the last row's (at, id)); nothing counts the
matching rows, so ten million entries cost what a page costs."""
import io
import json

from flask import abort, request, send_file
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _

from app.extensions import db
from app.security import AUDIT_LOG
from app.services.errors import DomainError
from app.services.privacy.audit import cursor_of, entries, parse_cursor, parse_filter
from app.services.privacy.audit_csv import write_audit_csv
from models import FIELD_LABELS
from models.audit import ACTIONS, AUDIT_EXPORT
from models.base import utcnow
from views.privacy.audit_trail import audit_read

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000
FILTER_KEYS = ("user", "lead", "action", "since", "until")


def _shown(value):
    return "—" if value in (None, "") else str(value)


def _label(field):
    return FIELD_LABELS.get(field.removesuffix("_id"), field)


def describe(detail):
    """An entry's detail as readable lines: "Statut : new → converted", "rows : 12"."""
    if not detail:
        return []
    values = json.loads(detail)
    lines = [f"{_label(name)} : {_shown(before)} → {_shown(after)}"
             for name, (before, after) in values.pop("fields", {}).items()]
    if "owner_id" in values:
        before, after = values.pop("owner_id")
        lines.append(_("Commercial n° %(before)s → n° %(after)s", before=_shown(before),
                       after=_shown(after)))
    return lines + [f"{name} : {json.dumps(value, ensure_ascii=False)}"
                    if isinstance(value, (dict, list)) else f"{name} : {_shown(value)}"
                    for name, value in values.items()]


def _filter():
    """The filters of the request's arguments; a bad one answers 400 with its reason."""
    try:
        return parse_filter(request.args)
    except DomainError as exc:
        abort(400, description=exc.message)


class AuditLogView(BaseView):
    route_base = "/audit"
    class_permission_name = AUDIT_LOG
    default_view = "index"

    @expose("/")
    @has_access
    @permission_name("list")
    def index(self):
        wanted = _filter()
        try:
            after = parse_cursor(request.args.get("after"))
        except DomainError as exc:
            abort(400, description=exc.message)
        rows = entries(db.session, wanted, PAGE_SIZE + 1, after)  # one more: is there a next?
        page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
        kept = {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)}
        return self.render_template(
            "privacy/audit.html", entries=page, actions=ACTIONS, filters=kept, describe=describe,
            users=db.session.query(User.id, User.username).order_by(User.username).all(),
            next_after=cursor_of(page[-1]) if more else None, paged=after is not None)

    @expose("/export.csv")
    @has_access
    @permission_name("export")
    def export(self):
        wanted = _filter()
        text = io.StringIO(newline="")
        rows = write_audit_csv(db.session, wanted, text, EXPORT_MAX_ROWS)
        name = f"journal-audit-{utcnow():%Y%m%d-%H%M}.csv"
        audit_read(AUDIT_EXPORT, filter={k: v for k, v in request.args.items() if k in FILTER_KEYS},
                   rows=rows, file=name)
        return send_file(io.BytesIO(text.getvalue().encode("utf-8")), mimetype="text/csv",
                         as_attachment=True, download_name=name, max_age=0)
