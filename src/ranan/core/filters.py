"""Core lists' query parameters: the audit log, the jurisdiction tree."""

from __future__ import annotations

from django_filters import rest_framework as filters

from ranan.core import selectors
from ranan.core.choices import AuditAction
from ranan.core.models import AuditEntry, Jurisdiction
from ranan.lib.filters import SelectorFilterSet, meta


class AuditFilter(SelectorFilterSet):
    account = filters.CharFilter(help_text="username or account id")
    model = filters.CharFilter(help_text="record type, e.g. core.account")
    action = filters.ChoiceFilter(choices=AuditAction.choices)
    since = filters.IsoDateTimeFilter(help_text="ISO 8601 date-time, inclusive")
    until = filters.IsoDateTimeFilter(help_text="ISO 8601 date-time, exclusive")

    Meta = meta(AuditEntry)

    def select(self, user, params):
        data = self.form.cleaned_data
        return selectors.audit_entries(
            account=data.get("account") or "", model=data.get("model") or "",
            action=data.get("action") or "", since=data.get("since"), until=data.get("until"))


class JurisdictionFilter(filters.FilterSet):
    """Only documents `parent`: the list reads it itself (a code, or `#<id>`)."""

    parent = filters.CharFilter(method="keep", help_text=(
        "Division code of the parent ('#<id>' for a node without a code); without it, the "
        "top of your area."))

    Meta = meta(Jurisdiction)

    def keep(self, queryset, name, value):
        return queryset
