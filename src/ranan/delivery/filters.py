"""The delivery lists' query parameters: orders, rounds, and the reference data (prices,
service hours, village cycles)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ranan.delivery.choices import OrderState
from ranan.delivery.models import Order, Price, Round, VillageRound
from ranan.lib.filters import FilterSet, IntFilter, TrueFilter, meta


class OrderFilter(FilterSet):
    state = filters.ChoiceFilter(choices=OrderState.choices)
    date = filters.DateFilter(field_name="scheduled_date", help_text="scheduled day, YYYY-MM-DD")
    round = IntFilter(field_name="round", min_value=1, help_text="round id")

    Meta = meta(Order)


class RoundFilter(FilterSet):
    date = filters.DateFilter(help_text="YYYY-MM-DD")

    Meta = meta(Round)


class PriceFilter(FilterSet):
    station = IntFilter(field_name="station", min_value=1, help_text="station id")
    cylinder_type = IntFilter(field_name="cylinder_type", min_value=1,
                                         help_text="cylinder type id")
    on = filters.DateFilter(method="valid_on", help_text="prices in force that day, YYYY-MM-DD")

    Meta = meta(Price)

    def valid_on(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value),
                               valid_from__lte=value)


class VillageRoundFilter(FilterSet):
    station = IntFilter(field_name="station", min_value=1, help_text="station id")
    village = IntFilter(field_name="village", min_value=1, help_text="village id")
    weekly = TrueFilter(method="is_weekly", help_text="true: fixed weekdays; false: every N days")

    Meta = meta(VillageRound)

    def is_weekly(self, queryset, name, value):
        return queryset.filter(every_days__isnull=value)
