"""Writes the roles of the configuration into the database, exactly."""
from app.security import CRM_ROLES, ROLE_ADMIN, ROLE_PERMISSIONS


def sync_roles(sm, session, definitions=None):
    """Create missing roles and set each configured role's permissions to exactly its pairs.

    Admin receives every permission that exists. Returns {role: number of permissions}.
    """
    definitions = definitions or ROLE_PERMISSIONS
    result = {}
    for name in CRM_ROLES:
        role = sm.find_role(name) or sm.add_role(name)
        if name == ROLE_ADMIN:
            continue
        pairs = sorted(set(definitions.get(name, [])))
        role.permissions = [sm.add_permission_view_menu(perm, view) for perm, view in pairs]
        result[name] = len(pairs)
    admin = sm.find_role(ROLE_ADMIN)
    admin.permissions = session.query(sm.permissionview_model).all()
    result[ROLE_ADMIN] = len(admin.permissions)
    session.commit()
    return result
