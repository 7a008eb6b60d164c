"""The lead sheet's "Effacer (RGPD)": a confirmation page where the word EFFACER must be typed,
then the erasure (app/services/privacy/erasure.py) and, after its commit, the deletion of the
appointments' CalDAV copies. Only for holders of LeadErasure / can_erase (Admin by default)."""
from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.utils.base import is_safe_redirect_url
from flask_babel import gettext as _

from app.security import LEAD_ERASURE
from app.services.errors import DomainError
from jobs.erasure import erase_and_commit
from views.scoping import current_user
from views.sheet_actions import scoped_lead

CONFIRM_WORD = "EFFACER"


class LeadErasureView(BaseView):
    route_base = "/privacy/erase"
    class_permission_name = LEAD_ERASURE
    base_permissions = ["can_erase"]
    method_permission_name = {"confirm": "erase", "erase": "erase"}

    def _page(self, lead, status=200):
        return self.render_template("privacy/erase.html", lead=lead, word=CONFIRM_WORD,
                                    next=_next()), status

    @expose("/<int:pk>", methods=["GET"])
    @has_access
    def confirm(self, pk):
        return self._page(scoped_lead(pk))

    @expose("/<int:pk>", methods=["POST"])
    @has_access
    def erase(self, pk):
        lead = scoped_lead(pk)
        if (request.form.get("confirm") or "").strip().upper() != CONFIRM_WORD:
            flash(_("Tapez %(word)s pour confirmer l'effacement.", word=CONFIRM_WORD), "danger")
            return self._page(lead, 400)
        try:
            summary = erase_and_commit([lead.id], actor_id=current_user().id, reason="request",
                                       ip=request.remote_addr)
        except DomainError as exc:
            flash(exc.message, "danger")
            return self._page(lead, exc.status)
        flash(_("Prospect effacé : %(files)d fichier(s) d'export supprimé(s), %(attachments)d "
                "pièce(s) jointe(s), %(rows)d ligne(s) de fichiers d'import.",
                files=len(summary["export_files"]), attachments=summary["attachments"],
                rows=summary["import_rows"]), "success")
        return redirect(_next() or url_for("LeadView.show", pk=lead.id))


def _next():
    """Where the eraser came from (the RGPD requests screen), when it is a page of ours."""
    target = request.values.get("next") or ""
    return target if target.startswith("/") and is_safe_redirect_url(target) else None
