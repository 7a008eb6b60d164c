"""The lead list's and the API's filter "leads of this import" (the import's result screen
links to it)."""
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.input_limits import InvalidInput
from app.services.lead_list import of_import_batch


class ImportBatchFilter(BaseFilter):
    name = _l("Import n°")
    arg_name = "import_batch"

    def apply(self, query, value):
        if isinstance(value, str) and value.isdigit() and len(value) < 10:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise InvalidInput(_("Filtre invalide : %(name)s", name=self.arg_name))
        return of_import_batch(query, value)


IMPORT_BATCH_FILTERS = {"import_batch_id": [ImportBatchFilter]}
