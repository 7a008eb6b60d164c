"""FAB filters of the lead list: the filter bar and the API share them; the searching itself is
app/services/lead_list.py's, which exports also use."""
import datetime as dt

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.input_limits import InvalidInput
from app.services.lead_list import created_from, created_to, search_leads
from app.timezones import parse_day
from models import Lead, live_or_flagged


def _refused(name):
    # The API's rison gives numbers and booleans too: neither a search nor a day.
    return InvalidInput(_("Filtre invalide : %(name)s", name=name))


class LeadSearchFilter(BaseFilter):
    name = _l("Recherche")
    arg_name = "search"

    def apply(self, query, value):
        if not isinstance(value, str):
            raise _refused(self.arg_name)
        return search_leads(query, value)


def _day(value, name):
    if isinstance(value, str):
        return parse_day(value)
    if isinstance(value, dt.date):
        return value
    raise _refused(name)


class CreatedFromFilter(BaseFilter):
    name = _l("Créé à partir du")
    arg_name = "created_from"

    def apply(self, query, value):
        day = _day(value, self.arg_name)
        return created_from(query, day) if day else query


class CreatedToFilter(BaseFilter):
    name = _l("Créé jusqu'au")
    arg_name = "created_to"

    def apply(self, query, value):
        day = _day(value, self.arg_name)
        return created_to(query, day) if day else query


class ContactIndexed(BaseFilter):
    """The API's e-mail or phone lookup again, split so that PostgreSQL searches the partial
    indexes of live and flagged leads (a plain equality implies neither: a table scan).
    The values of `in` come as a tuple: FAB applies a filter once per item of a list."""
    name = "indexed contact lookup"
    arg_name = "contact_indexed"

    def apply(self, query, value):
        column = getattr(Lead, self.column_name)
        return query.filter(live_or_flagged(
            column.in_(value) if isinstance(value, tuple) else column == value))


LEAD_SEARCH_FILTERS = {
    "last_name": [LeadSearchFilter],
    "created_at": [CreatedFromFilter, CreatedToFilter],
}
