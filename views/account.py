"""Changing one's own password: the current one is asked first, so that a session left open
(or stolen) cannot lock its owner out."""
from flask import g, session
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash
from wtforms import PasswordField, ValidationError
from wtforms.validators import DataRequired, EqualTo

from app.authentication import SESSION_KEY
from app.extensions import db
from app.services import session_generations


class ChangeMyPasswordForm(DynamicForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()],
                                     widget=BS3PasswordFieldWidget())
    password = PasswordField(_l("Nouveau mot de passe"),
                             validators=[DataRequired(), PasswordComplexityValidator()],
                             widget=BS3PasswordFieldWidget())
    conf_password = PasswordField(
        _l("Confirmer le nouveau mot de passe"), widget=BS3PasswordFieldWidget(),
        validators=[EqualTo("password", message=_l("Les mots de passe ne correspondent pas."))])

    def validate_current_password(self, field):
        if not check_password_hash(g.user.password, field.data or ""):
            raise ValidationError(_l("Le mot de passe actuel est incorrect."))


class ResetMyPasswordView(FabResetMyPasswordView):
    """Same name as FAB's view: its endpoint and permissions stay those the roles know."""

    form = ChangeMyPasswordForm
    form_title = _l("Changer mon mot de passe")
    message = _l("Mot de passe changé. Vos autres sessions sont fermées.")

    def form_post(self, form):
        super().form_post(form)
        # The new password ended every session of the user; this one goes on.
        session[SESSION_KEY] = session_generations.current(db.session, g.user.id)
