"""FAB filters of the lead list: the filter bar and the API share them; the searching itself is
app/services/lead_list.py's, which exports also use."""
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app.services.lead_list import created_from, created_to, parse_day, search_leads


class LeadSearchFilter(BaseFilter):
    name = _l("Recherche")
    arg_name = "search"

    def apply(self, query, value):
        return search_leads(query, value)


class CreatedFromFilter(BaseFilter):
    name = _l("Créé à partir du")
    arg_name = "created_from"

    def apply(self, query, value):
        day = parse_day(value) if isinstance(value, str) else value
        return created_from(query, day) if day else query


class CreatedToFilter(BaseFilter):
    name = _l("Créé jusqu'au")
    arg_name = "created_to"

    def apply(self, query, value):
        day = parse_day(value) if isinstance(value, str) else value
        return created_to(query, day) if day else query


LEAD_SEARCH_FILTERS = {
    "last_name": [LeadSearchFilter],
    "created_at": [CreatedFromFilter, CreatedToFilter],
}
