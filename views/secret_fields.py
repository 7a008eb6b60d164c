"""Write-only credentials in FAB forms: the stored value never goes back to the browser.

The field is always empty; under it, a hint says whether a value is set. Left empty, the stored
value is kept; a checkbox clears it."""
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import Optional

KEEP_HINT = _l("Défini — laisser vide pour garder.")
CLEAR = "_clear"


def secret_fields(labels, columns, clearable):
    """Form fields for `columns`: password inputs, plus a clear checkbox each if `clearable`."""
    # new-password: browsers must not fill in the admin's own saved login here.
    fields = {column: PasswordField(labels[column], validators=[Optional()],
                                    widget=BS3PasswordFieldWidget(),
                                    render_kw={"autocomplete": "new-password"})
              for column in columns}
    if clearable:
        fields.update({column + CLEAR: BooleanField(_l("Effacer la valeur enregistrée"))
                       for column in columns})
    return fields


def with_clear_boxes(columns, secret_columns):
    """Edit columns: each secret followed by its clear checkbox."""
    return [name for column in columns
            for name in ([column, column + CLEAR] if column in secret_columns else [column])]


class WriteOnlySecretsMixin:
    """For a ModelView whose `secret_columns` use secret_fields()."""

    secret_columns = ()

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        item = self.datamodel.get(pk)
        for column in self.secret_columns:
            if getattr(item, column):
                form[column].description = KEEP_HINT

    def process_form(self, form, is_created):
        super().process_form(form, is_created)
        for column in self.secret_columns:
            clear = column + CLEAR in form and form[column + CLEAR].data
            if column + CLEAR in form:
                del form[column + CLEAR]  # not a column: populate_obj must skip it
            if clear:
                form[column].data = None
            elif not form[column].data:
                del form[column]  # left empty: the stored value stays
