"""The hazard lists' query parameters (the filtering is `selectors.filter_hazards`, shared with
the page) and the catalogue's."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters

from ranan.hazards import selectors
from ranan.hazards.choices import State, Step
from ranan.hazards.kpis import BY_CATEGORY
from ranan.hazards.models import Appointment, Category, Hazard
from ranan.inspections.choices import Grade
from ranan.lib.filters import ChoicesFilter, FilterSet, IntFilter, SelectorFilterSet, TrueFilter, meta


class HazardFilter(SelectorFilterSet):
    state = ChoicesFilter(choices=State.choices, help_text="comma-separated")
    grade = ChoicesFilter(choices=Grade.choices, help_text="comma-separated")
    category = filters.CharFilter(help_text="a category's code")
    overdue = TrueFilter()
    jurisdiction = filters.CharFilter(help_text="division code (or #id): the subtree")
    escalation = IntFilter(min_value=min(Step.values), max_value=max(Step.values),
                                      help_text="the ladder's step, 0-4")
    mine = TrueFilter(help_text="found or fixed by me, not done")
    q = filters.CharFilter(help_text="description, address, premises, customer name")

    Meta = meta(Hazard)

    def select(self, user, params):
        return selectors.filter_hazards(user, params)


class CategoryFilter(FilterSet):
    is_active = TrueFilter()
    default_grade = filters.ChoiceFilter(choices=Grade.choices)

    Meta = meta(Category)


class AppointmentFilter(SelectorFilterSet):
    day = filters.DateFilter(help_text="YYYY-MM-DD; default today")
    mine = TrueFilter(help_text="only the visits the account goes to")

    Meta = meta(Appointment)

    def select(self, user, params):
        day = self.form.cleaned_data.get("day") or timezone.localdate()
        return selectors.appointments_on(user, day, mine=bool(self.form.cleaned_data.get("mine")))


class CategoryRecordsFilter(SelectorFilterSet):
    kpi = filters.ChoiceFilter(choices=[(n, n) for n in BY_CATEGORY], required=True)
    category = filters.CharFilter(help_text="a category's code; none: every category")
    part = filters.ChoiceFilter(choices=[("records", "records"), ("base", "base")],
                                help_text="the numerator's hazards (records) or the base's")
    jurisdiction = filters.CharFilter(help_text="division code (or #id); default your area")

    Meta = meta(Hazard)

    def select(self, user, params):
        from django.core.exceptions import ValidationError
        from rest_framework.exceptions import ValidationError as ApiError

        from ranan.core import kpis as catalogue
        from ranan.hazards.kpis import period_query

        data = self.form.cleaned_data
        category = None
        if data.get("category"):
            category = Category.objects.filter(code=data["category"]).first()
            if category is None:
                raise ApiError({"category": [_("Unknown hazard category “%(code)s”.") % {
                    "code": data["category"]}]})
        try:
            node, start, end = period_query(user, params)
        except ValidationError as exc:
            raise ApiError(exc.message_dict) from None
        qs = catalogue.records(user, node.path, start, end, data["kpi"],
                               data.get("part") or "records")
        if category is not None:
            qs = qs.filter(category=category)
        return qs.select_related("category", "customer", "jurisdiction").order_by(
            "-found_at", "-id")


# `from` and `to` (Python keywords) are read as the by-category figures read them
# (kpis.period_query); declared here for the schema and the 400 on a malformed date.
for _name in ("from", "to"):
    CategoryRecordsFilter.base_filters[_name] = filters.DateFilter(field_name=_name,
                                                                   help_text="YYYY-MM-DD")
