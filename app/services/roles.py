"""Writes the permissions of every view and the roles of the configuration into the database."""
from app.security import CRM_ROLES, ROLE_ADMIN, ROLE_PERMISSIONS


def sync_roles(appbuilder, session, definitions=None):
    """Create the roles, register every view's permissions, then give each configured role
    exactly its pairs; Admin receives every permission that exists.

    Returns {role: number of permissions}.
    """
    sm = appbuilder.sm
    definitions = definitions or ROLE_PERMISSIONS
    # Roles first: FAB grants Admin each new permission as it registers it.
    roles = {name: sm.find_role(name) or sm.add_role(name) for name in CRM_ROLES}
    appbuilder.add_permissions(update_perms=True)
    result = {}
    for name, role in roles.items():
        if name == ROLE_ADMIN:
            continue
        pairs = sorted(set(definitions.get(name, [])))
        role.permissions = [sm.add_permission_view_menu(perm, view) for perm, view in pairs]
        result[name] = len(pairs)
    admin = roles[ROLE_ADMIN]
    admin.permissions = session.query(sm.permissionview_model).all()
    result[ROLE_ADMIN] = len(admin.permissions)
    session.commit()
    return result
