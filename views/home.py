"""The landing page after login: a short summary of what needs attention."""
from flask import redirect, url_for
from flask_appbuilder import IndexView, expose

from app.security import HOME
from app.services.summary import home_summary
from app.extensions import db
from views.scoping import current_user, sees_all_leads


class HomeView(IndexView):
    route_base = ""
    class_permission_name = HOME
    index_template = "home.html"

    @expose("/")
    def index(self):
        user = current_user()
        if user is None:
            return redirect(url_for(self.appbuilder.sm.auth_view.endpoint + ".login"))
        summary = home_summary(db.session, None if sees_all_leads() else user.id)
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    summary=summary)
