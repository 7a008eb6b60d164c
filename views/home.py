"""The landing page after login: leads by status and the next appointments."""
from flask_appbuilder import IndexView, expose, has_access

from app.extensions import db
from app.security import HOME
from app.services.summary import home_summary
from views.scoping import current_viewer


class HomeView(IndexView):
    route_base = ""
    class_permission_name = HOME
    index_template = "home.html"

    @expose("/")
    @has_access
    def index(self):
        summary = home_summary(db.session, current_viewer())
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    summary=summary)
