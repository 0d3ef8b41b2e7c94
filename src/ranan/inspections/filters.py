"""The inspection lists' query parameters: checklists, visits, plans."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ranan.inspections.choices import Audience, Outcome, ReferralState
from ranan.inspections.models import Checklist, Plan, Referral, Visit
from ranan.lib.filters import ChoicesFilter, FilterSet, IntFilter, TrueFilter, meta


class ChecklistFilter(FilterSet):
    all = TrueFilter(method="every_version", help_text="true: every version, not only the "
                                                          "published ones")
    key = filters.CharFilter(help_text="the checklist's key")
    audience = filters.ChoiceFilter(choices=Audience.choices)

    Meta = meta(Checklist)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("all"):
            queryset = queryset.filter(published=True)
        return super().filter_queryset(queryset)

    def every_version(self, queryset, name, value):
        return queryset  # the published filter is applied (or not) above


class VisitFilter(FilterSet):
    customer = IntFilter(field_name="customer", min_value=1, help_text="customer id")
    outcome = filters.ChoiceFilter(choices=Outcome.choices)
    locals()["from"] = filters.DateFilter(field_name="started_at", lookup_expr="date__gte",
                                          help_text="first day, YYYY-MM-DD")
    to = filters.DateFilter(field_name="started_at", lookup_expr="date__lte",
                            help_text="last day, YYYY-MM-DD")

    Meta = meta(Visit)


class PlanFilter(FilterSet):
    current = TrueFilter(method="running", help_text="true: running today")

    Meta = meta(Plan)

    def running(self, queryset, name, value):
        from django.db.models import Q
        from django.utils import timezone

        today = timezone.localdate()
        inside = Q(start__lte=today, end__gte=today)
        return queryset.filter(inside) if value else queryset.exclude(inside)


class ReferralFilter(FilterSet):
    state = ChoicesFilter(choices=ReferralState.choices)
    mine = TrueFilter(method="sent_to_me", help_text="true: those sent to my department")
    customer = IntFilter(field_name="customer", min_value=1, help_text="customer id")

    Meta = meta(Referral)

    def sent_to_me(self, queryset, name, value):
        return queryset.filter(organisation=self.request.user.organisation_id) if value \
            else queryset
