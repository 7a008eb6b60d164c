"""The public unsubscribe pages (/desinscription/<token>): no login, French, made for a phone.

GET shows a confirmation page whose button posts (with CSRF) to /confirmer; a POST to the link
itself is RFC 8058's one-click unsubscribe, sent by mail providers without any page or cookie
(the one route exempt from CSRF: the signed token is its proof). Both are idempotent."""
from flask import current_app, render_template, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.limit import Limit
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import IntegrityError

from app.body_limits import body_limit
from app.extensions import db
from app.services.errors import DomainError
from app.services.privacy.unsubscribe import is_unsubscribed, masked_email, read_token, unsubscribe
from models import Lead

ONE_CLICK_ENDPOINT = "views.privacy.unsubscribe.one_click"


def _limit():
    return current_app.config["CRM_UNSUBSCRIBE_RATE_LIMIT"]


class UnsubscribeView(BaseView):
    route_base = "/desinscription"
    limits = [Limit(limit_value=_limit, key_func=get_remote_address)]

    @staticmethod
    def _page(status=200, **context):
        return render_template("privacy/unsubscribe.html", **context), status

    @staticmethod
    def _target(token):
        days = current_app.config["CRM_UNSUBSCRIBE_TOKEN_DAYS"]
        return read_token(current_app.config["SECRET_KEY"], token, days * 86400)

    @expose("/<token>", methods=["GET"])
    def page(self, token):
        try:
            lead_id, channel = self._target(token)
        except DomainError as exc:
            return self._page(400, error=exc.message)
        lead = db.session.get(Lead, lead_id)
        return self._page(token=token, address=masked_email(lead.email if lead else None),
                          done=lead is None or is_unsubscribed(db.session, lead_id, channel))

    @expose("/<token>", methods=["POST"])
    @body_limit("CRM_UNSUBSCRIBE_MAX_BYTES")
    def one_click(self, token):
        if request.form.get("List-Unsubscribe") != "One-Click":
            return self._page(400, error=_("Cette demande de désinscription est incomplète : "
                                           "ouvrez le lien de l'e-mail dans votre navigateur."))
        return self._unsubscribe(token)

    @expose("/<token>/confirmer", methods=["POST"])
    @body_limit("CRM_UNSUBSCRIBE_MAX_BYTES")
    def confirm(self, token):
        return self._unsubscribe(token)

    def _unsubscribe(self, token):
        try:
            lead_id, channel = self._target(token)
        except DomainError as exc:
            return self._page(400, error=exc.message)
        for attempt in (1, 2):
            try:
                lead = unsubscribe(db.session, lead_id, channel, request.remote_addr,
                                   request.user_agent.string)
                db.session.commit()
                break
            except IntegrityError:
                # Two clicks at once: the other one suppressed the address first; once more,
                # this one finds everything done.
                db.session.rollback()
                if attempt == 2:
                    raise
        return self._page(done=True, address=masked_email(lead.email if lead else None))
