"""The cylinder lists' query parameters (the filtering is the selectors', shared with the
pages and benchmarked)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ranan.cylinders import selectors
from ranan.cylinders.choices import State
from ranan.cylinders.models import Cylinder, CylinderType
from ranan.lib.filters import FilterSet, IntFilter, SelectorFilterSet, TrueFilter, meta

BIG = 2**62


class CylinderFilter(SelectorFilterSet):
    station = IntFilter(min_value=1, max_value=BIG, help_text="station id")
    state = filters.ChoiceFilter(choices=State.choices)
    type = IntFilter(min_value=1, max_value=BIG, help_text="cylinder type id")
    overdue = TrueFilter(help_text="true: past the inspection or scrap date")
    due_within = IntFilter(min_value=0, max_value=3650,
                                      help_text="days: due for inspection or scrap within")
    q = filters.CharFilter(help_text="code or factory serial")

    Meta = meta(Cylinder)

    def select(self, user, params):
        return selectors.filter_cylinders(user, params)


class RecallFilter(SelectorFilterSet):
    days = IntFilter(min_value=0, max_value=3650, help_text="default 30")

    Meta = meta(Cylinder)

    def select(self, user, params):
        days = self.form.cleaned_data.get("days")
        return selectors.recall_list(user, 30 if days is None else int(days))


class CylinderTypeFilter(FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="in the name")
    province = IntFilter(field_name="province", min_value=1, help_text="province id")
    national = TrueFilter(field_name="province", lookup_expr="isnull",
                          help_text="true: the national types (no province)")

    Meta = meta(CylinderType)
