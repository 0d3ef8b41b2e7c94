"""The hazard lists' query parameters (the filtering is `selectors.filter_hazards`, shared with
the page) and the catalogue's."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ranan.hazards import selectors
from ranan.hazards.choices import State, Step
from ranan.hazards.models import Category, Hazard
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
