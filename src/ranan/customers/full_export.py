"""Exports of the customer list with full phone and ID numbers (issue 16, PIPL): asked for
with a reason and the list's filters, approved or refused by a second person (the rule is
core.privacy.decide_export on core.PersonalDataExport), downloaded once by the requester
within core.privacy.DOWNLOAD_HOURS of the approval. Every step is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.models import PersonalDataExport
from ranan.core.notify import notify
from ranan.core.permissions import can
from ranan.core.privacy import approvers_for, validate_reason
from ranan.customers.exporter import export_customers
from ranan.customers.selectors import FILTERS, filter_customers


def _scope(params) -> dict:
    scope = {}
    for key in FILTERS:
        values = params.getlist(key) if hasattr(params, "getlist") else params.get(key)
        if isinstance(values, str):
            values = [values]
        values = [str(v).strip() for v in values or [] if str(v).strip()]
        if values:
            scope[key] = values if len(values) > 1 else values[0]
    return scope


def request_export(*, actor, reason: str, params, ip_address=None):
    """Ask for the customer list (the list's filters in `params`) with full numbers."""
    if not can(actor, "customers.personal_data"):
        raise PermissionDenied(_("Your role does not work with full phone and ID numbers."))
    reason = validate_reason(reason)
    scope = _scope(params)
    filter_customers(actor, scope)  # a bad filter is refused now, naming the parameter
    with transaction.atomic():
        export = PersonalDataExport.objects.create(requested_by=actor, reason=reason,
                                                   scope=scope, requested_at=timezone.now())
        audit.record_create(actor=actor, instance=export, details={"reason": reason})
        for approver in approvers_for(actor):
            notify(kind="personal_export_request", to_account=approver,
                   dedupe_key=f"personal-export:{export.pk}:{approver.pk}",
                   subject=_("Approve an export with full phone and ID numbers"),
                   body=_("%(account)s asks to export the customer list with full phone and ID "
                          "numbers. Reason: %(reason)s. Approve or refuse: %(url)s") % {
                       "account": actor, "reason": reason, "url": reverse("personal-export-list")})
    return export


def download_export(*, actor, export, ip_address=None):
    """The approved export's file (open handle, rows), for its requester, once, in time."""
    with transaction.atomic():
        export = PersonalDataExport.objects.select_for_update().get(pk=export.pk)
        if actor.pk != export.requested_by_id:
            raise PermissionDenied(_("Only the requester downloads an approved export."))
        if export.state != PersonalDataExport.State.APPROVED:
            raise ValidationError({"state": _("This export is not approved, or was already "
                                              "downloaded.")})
        if export.expires_at is None or timezone.now() > export.expires_at:
            raise ValidationError({"state": _("The approval has expired: ask again.")})
        qs, cleaned = filter_customers(actor, export.scope)
        handle, rows = export_customers(actor=actor, queryset=qs, filters=cleaned,
                                        ip_address=ip_address, approved=export)
        before = audit.snapshot(export)
        export.state = PersonalDataExport.State.DOWNLOADED
        export.downloaded_at, export.rows = timezone.now(), rows
        export.save()
        audit.record_update(actor=actor, instance=export, before=before)
    return handle, rows


def describe(scope: dict, user) -> list[tuple[str, str]]:
    """The filters of a request in words, (label, values): an area's name, not its code or
    id; a status's label, not `active` (the browser review of issue 16)."""
    from django.utils.translation import gettext_lazy

    from ranan.core.selectors import jurisdiction_by_code
    from ranan.customers.choices import CareFlag, CustomerKind, CustomerStatus, Missing, Supply

    words = {
        "kind": (gettext_lazy("Kind"), dict(CustomerKind.choices)),
        "supply": (gettext_lazy("Supply"), dict(Supply.choices)),
        "flag": (gettext_lazy("Care"), dict(CareFlag.choices)),
        "missing": (gettext_lazy("Missing devices"), {m.name.lower(): m.label for m in Missing}),
        "status": (gettext_lazy("Status"), dict(CustomerStatus.choices)),
        "q": (gettext_lazy("Search"), {}),
    }
    described = []
    for key, value in scope.items():
        values = value if isinstance(value, list) else [value]
        if key == "jurisdiction":
            node = jurisdiction_by_code(user, str(values[0]))
            described.append((str(gettext_lazy("Area")), node.name if node else str(values[0])))
            continue
        label, names = words.get(key, (key, {}))
        described.append((str(label), ", ".join(str(names.get(str(v).lower(), v)) for v in values)))
    return described
