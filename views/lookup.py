"""Search endpoints behind the remote selects: at most 20 matches, within the user's scope."""
from flask import jsonify, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import or_

from app.extensions import db
from app.security import LOOKUP
from models import Campaign, Lead, Source, User
from app.services.lead_list import prefix_match, search_leads
from views.scoping import scope_assignable_users, scope_leads

LIMIT = 20


def _leads(term):
    query = search_leads(scope_leads(db.session.query(Lead)), term)
    return [(lead.id, f"{lead.full_name} — {lead.email or lead.phone or ''}".rstrip(" —"))
            for lead in query.order_by(Lead.name_key).limit(LIMIT)]


def _named(model):
    def search(term):
        query = db.session.query(model.id, model.name)
        if term:
            query = query.filter(model.name.ilike(f"%{term}%"))
        return query.order_by(model.name).limit(LIMIT).all()
    return search


def _users(term):
    query = scope_assignable_users(db.session.query(User))
    if term:
        query = query.filter(or_(prefix_match(db.session, User.first_name, term),
                                 prefix_match(db.session, User.last_name, term),
                                 prefix_match(db.session, User.username, term)))
    return [(u.id, u.get_full_name()) for u in query.order_by(User.first_name).limit(LIMIT)]


SEARCHES = {"leads": _leads, "sources": _named(Source), "campaigns": _named(Campaign),
            "users": _users}


class LookupView(BaseView):
    route_base = "/lookup"
    class_permission_name = LOOKUP
    default_view = "search"

    @expose("/<kind>")
    @has_access
    @permission_name("search")
    def search(self, kind):
        finder = SEARCHES.get(kind)
        if finder is None:
            return jsonify(results=[]), 404
        term = request.args.get("q", "").strip()[:100]
        return jsonify(results=[{"id": pk, "text": text} for pk, text in finder(term)])
