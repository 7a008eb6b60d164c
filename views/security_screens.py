"""FAB's own security screens (users, roles, groups, permissions), with the project's fixes
of FAB's generic views that they need too."""
from flask import abort
from flask_appbuilder.security import views as fab


class KnownActionsOnly:
    """FAB looks an action up by the name in the URL or form and answers 500 when there is
    none (`None.func`): an unknown action is a 404."""

    def get_action_permission_name(self, name):
        if name not in self.actions:
            abort(404)
        return super().get_action_permission_name(name)


def _fixed(view):
    return type(view.__name__, (KnownActionsOnly, view), {})


# The security manager's attribute for each screen, and the screen it registers.
SECURITY_SCREENS = {
    "userdbmodelview": _fixed(fab.UserDBModelView),
    "rolemodelview": _fixed(fab.RoleModelView),
    "groupmodelview": _fixed(fab.UserGroupModelView),
    "permissionmodelview": _fixed(fab.PermissionModelView),
    "viewmenumodelview": _fixed(fab.ViewMenuModelView),
    "permissionviewmodelview": _fixed(fab.PermissionViewModelView),
}
