"""The customer list's query parameters (the filtering is `selectors.filter_customers`, which
the page and the export share: tuned and benchmarked, bench/customer_list.py)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ranan.customers import selectors
from ranan.customers.choices import CareFlag, CustomerKind, CustomerStatus, Missing, Supply
from ranan.customers.models import Customer
from ranan.lib.filters import ChoicesFilter, SelectorFilterSet, meta

MISSING = ", ".join(m.name.lower() for m in Missing)


class CustomerFilter(SelectorFilterSet):
    jurisdiction = filters.CharFilter(help_text="division code (or #id): the subtree")
    kind = ChoicesFilter(choices=CustomerKind.choices,
                         help_text="comma-separated or repeated")
    supply = ChoicesFilter(choices=Supply.choices)
    flag = ChoicesFilter(choices=CareFlag.choices, help_text="several: all of them")
    missing = filters.CharFilter(help_text=f"comma-separated, several = all of them: {MISSING}")
    status = ChoicesFilter(choices=CustomerStatus.choices)
    q = filters.CharFilter(help_text="name, phone tail, address, meter number, pinyin initials")

    Meta = meta(Customer)

    def select(self, user, params):
        qs, self.cleaned = selectors.filter_customers(user, params)
        return qs
