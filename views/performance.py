"""Campaign and source performance over a chosen period; every figure links to its leads."""
import datetime as dt
from urllib.parse import urlencode

from flask import abort, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import PERFORMANCE
from app.services.stats import performance
from app.timezones import crm_zone
from views.base import PageView
from views.request_args import day_arg


class PerformanceView(PageView):
    route_base = "/performance"
    class_permission_name = PERFORMANCE

    @expose("/")
    @has_access
    def index(self):
        today = dt.datetime.now(crm_zone()).date()
        start_day = day_arg("created_from", today.replace(day=1))
        end_day = day_arg("created_to", today)
        if end_day < start_day:
            abort(400, description=_("La fin de la période précède son début."))
        by = request.args.get("by", "campaign")
        if by not in ("campaign", "source"):
            abort(400, description=_("Regroupement inconnu : %(value)s", value=by[:20]))
        rows = performance(db.session, by, first_day=start_day, last_day=end_day)
        period = {"created_from": start_day.isoformat(), "created_to": end_day.isoformat()}

        def leads_url(key, status=None):
            args = {**period, by: key if key is not None else ""}
            if status:
                args["status"] = status
            return url_for("LeadView.list") + "?" + urlencode({k: v for k, v in args.items() if v != ""})
        totals = {name: sum(r[name] for r in rows) for name in
                  ("leads", "new", "in_progress", "converted", "abandoned")}
        return self.render_template("performance/index.html", rows=rows, by=by, period=period,
                                    totals=totals, leads_url=leads_url,
                                    title=_("Performance des campagnes"))
