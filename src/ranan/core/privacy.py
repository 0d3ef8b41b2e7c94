"""Personal data where it belongs (issue 16, PIPL):

* search is rate-limited per account, and many distinct phone-like searches in a window (the
  enumeration of a masked number's hidden digits) stop phone searches and alert the auditors;
* responses to signed-in requests are never stored by a browser or a proxy (no-store);
* query strings (which carry searched phones) never reach the logs;
* a full number is shown after a reason is given, audited with it (`unmask`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled

from ranan.core import audit
from ranan.core.choices import AuditAction, Role

log = logging.getLogger("ranan.privacy")

SEARCH_WINDOW = 60  # seconds
ENUMERATION_WINDOW = 600
PHONE_LIKE = re.compile(r"^\d{5,}$")


def search_per_minute() -> int:
    return getattr(settings, "RANAN_SEARCHES_PER_MINUTE", 60)


def phone_searches_per_window() -> int:
    """Distinct phone-like searches (5 digits or more) an account may make in 10 minutes."""
    return getattr(settings, "RANAN_PHONE_SEARCHES_PER_WINDOW", 20)


class SearchThrottled(Throttled):
    default_detail = "Too many searches."
    default_code = "search_throttled"


def _account_key(user) -> str:
    # The username too: a test database reuses ids, a frozen clock reuses windows.
    return f"{user.pk}:{user.get_username()}"


def _compact(text: str) -> str:
    return re.sub(r"[\s\-()（）+]", "", text or "")


def check_search(user, text: str, ip_address: str | None = None) -> None:
    """Count one search of `text` by `user`; raise SearchThrottled (429) past the limits.

    Every search counts toward `RANAN_SEARCHES_PER_MINUTE` (60). A phone-like query (5 or
    more digits) also counts toward the distinct phone searches of a 10-minute window: past
    `RANAN_PHONE_SEARCHES_PER_WINDOW` (20) the account is enumerating; its phone searches stop
    until the window ends, an audit row is written and the auditors are told (once)."""
    if user is None or not getattr(user, "is_authenticated", False) or not text:
        return
    now = int(timezone.now().timestamp())
    who = _account_key(user)
    minute_key = f"ranan:search:{who}:{now // SEARCH_WINDOW}"
    cache.add(minute_key, 0, SEARCH_WINDOW * 2)
    try:
        count = cache.incr(minute_key)
    except ValueError:
        cache.set(minute_key, 1, SEARCH_WINDOW * 2)
        count = 1
    compact = _compact(text)
    if PHONE_LIKE.match(compact):
        window = now // ENUMERATION_WINDOW
        seen_key = f"ranan:phone-search:{who}:{window}"
        seen = cache.get(seen_key) or set()
        seen.add(hashlib.sha256(compact.encode()).hexdigest()[:16])
        cache.set(seen_key, seen, ENUMERATION_WINDOW * 2)
        if len(seen) > phone_searches_per_window():
            _enumeration_alert(user, window, len(seen), ip_address)
            raise SearchThrottled(detail=_("Too many phone number searches: try again later."),
                                  wait=ENUMERATION_WINDOW - now % ENUMERATION_WINDOW)
    if count > search_per_minute():
        raise SearchThrottled(detail=_("Too many searches: try again in a minute."),
                              wait=SEARCH_WINDOW - now % SEARCH_WINDOW)


def _enumeration_alert(user, window: int, distinct: int, ip_address: str | None) -> None:
    """Once per account and window: an audit row and a message to every active auditor."""
    if not cache.add(f"ranan:phone-search-alert:{_account_key(user)}:{window}", 1,
                     ENUMERATION_WINDOW * 2):
        return
    from ranan.core.models import Account
    from ranan.core.notify import notify

    # Its own transaction: the request answers 429 and must not take the alert with it.
    with transaction.atomic():
        audit.record(actor=user, action=AuditAction.DENIED, model="customers.customer",
                     details={"search_enumeration": True, "distinct_phone_searches": distinct,
                              "window_minutes": ENUMERATION_WINDOW // 60},
                     ip_address=ip_address)
        auditors = Account.objects.filter(role_rows__role=Role.AUDITOR, is_active=True).distinct()
        for auditor in auditors:
            notify(kind="search_enumeration", to_account=auditor,
                   dedupe_key=f"search-enum:{user.pk}:{window}:{auditor.pk}",
                   subject=_("Phone number enumeration by %(account)s") % {
                       "account": user.get_username()},
                   body=_("The account %(account)s made %(n)d different phone number searches "
                          "within %(minutes)d minutes; its phone searches are stopped until "
                          "the window ends. See the audit log.") % {
                       "account": user.get_username(), "n": distinct,
                       "minutes": ENUMERATION_WINDOW // 60})
    log.warning("phone search enumeration: account %s, %d distinct searches", user.pk, distinct)


class PrivacyMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in request (pages
    and API answers carry names, addresses and phones; static files are served before this
    by WhiteNoise), and a page's search over the limit answers 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(
                settings.STATIC_URL or "/static/"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, SearchThrottled):
            from django.shortcuts import render

            # The 400 page's layout, with a way back (the browser review of issue 16).
            response = render(request, "400.html", {
                "status": 429, "heading": _("Too many searches"),
                "errors": [{"field": "q", "code": "throttled", "message": str(exception.detail)}],
            }, status=429)
            wait = getattr(exception, "wait", None)  # DRF's Throttled sets it; the stubs omit it
            if wait:
                response["Retry-After"] = str(int(wait))
            return response
        return None


def validate_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 200:
        raise ValidationError({"reason": _("Give the reason (4 to 200 characters).")})
    return reason


def unmask(*, actor, instance, fields: dict[str, str], reason: str, ip_address=None) -> dict:
    """The full values of `fields` ({name: value}) of one record, after a reason: audited
    with the reason (`unmask`). Raises ValidationError naming `reason`."""
    reason = validate_reason(reason)
    audit.record(actor=actor, action=AuditAction.UNMASK, instance=instance,
                 details={"reason": reason, "unmasked": sorted(k for k, v in fields.items() if v)},
                 ip_address=ip_address)
    return fields


def reason_form(data=None):
    """The "show full number" form: a reason, 4 to 200 characters."""
    from django import forms

    from ranan.core.forms import StyledForm

    class ReasonForm(StyledForm):
        reason = forms.CharField(label=_("Reason"), min_length=4, max_length=200, strip=True,
                                 widget=forms.TextInput(attrs={"data-testid": "unmask-reason"}))

    return ReasonForm(data)


# A full personal-data export (the customer list with whole phone and ID numbers) needs a
# second person: requested with a reason, approved or refused by another account holding
# core.personal_export_approve (a station manager or enterprise administrator) of the
# requester's organisation or of its parent company, downloaded once by the requester within
# DOWNLOAD_HOURS of the approval. Every step is audited.
DOWNLOAD_HOURS = 24


def may_approve(actor, export) -> bool:
    from ranan.core.permissions import can

    if actor is None or actor.pk == export.requested_by_id:
        return False
    if not can(actor, "core.personal_export_approve"):
        return False
    org = export.requested_by.organisation
    return org is not None and actor.organisation_id in {org.pk, org.parent_id}


def approvers_for(requester):
    from ranan.core.models import Account

    org = requester.organisation
    if org is None:
        return Account.objects.none()
    return (Account.objects.filter(is_active=True, organisation_id__in={org.pk, org.parent_id} - {None},
                                   role_rows__role__in=[Role.STATION_MANAGER, Role.ENTERPRISE_ADMIN])
            .exclude(pk=requester.pk).distinct())


def decide_export(*, actor, export, approve: bool, note: str = "", ip_address=None):
    """Approve or refuse a request: another account than the requester's (a second person)."""
    from django.core.exceptions import PermissionDenied

    from ranan.core.models import PersonalDataExport

    with transaction.atomic():
        # Lock the request only (the organisation is an outer join, PostgreSQL refuses it).
        export = PersonalDataExport.objects.select_for_update(of=("self",)).select_related(
            "requested_by__organisation").get(pk=export.pk)
        if actor.pk == export.requested_by_id:
            raise PermissionDenied(_("A second person approves an export: not its requester."))
        if not may_approve(actor, export):
            raise PermissionDenied(_("You cannot approve this account's requests."))
        if export.state != PersonalDataExport.State.REQUESTED:
            raise ValidationError({"state": _("This request has already been decided.")})
        before = audit.snapshot(export)
        now = timezone.now()
        export.state = (PersonalDataExport.State.APPROVED if approve
                        else PersonalDataExport.State.REFUSED)
        export.decided_by, export.decided_at = actor, now
        export.note = (note or "").strip()[:200]
        if approve:
            export.expires_at = now + datetime.timedelta(hours=DOWNLOAD_HOURS)
        export.save()
        audit.record_update(actor=actor, instance=export, before=before)
    return export
