"""Whether a household may be supplied (a shut-off household gets no gas, issue 14 item 1):
the customer's status says so (set by the inspections service when the valve is shut or
sealed, by the campaigns when the premises is converted), the latest shut-off measure says
why, who and when. Read by the delivery services (orders refused or held, the door refused)
and by the courier's pages (the 已停气 banner)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.customers.choices import CustomerStatus
from ranan.inspections.models import Measure

# The measures that stop the supply (the valve shut off, or removed and sealed).
STOPPING_MEASURES = ("shut_off", "sealed")
# Statuses whose household may be supplied again once restored (an order may wait for it).
RESTORABLE = {CustomerStatus.SHUT_OFF}


@dataclass
class Stop:
    """Why a household gets no gas."""

    status: str
    label: str
    since: datetime.date | None
    why: str = ""
    by: str = ""
    at: datetime.datetime | None = None

    @property
    def restorable(self) -> bool:
        return self.status in RESTORABLE

    def message(self) -> str:
        """One sentence for a refusal: the status, since when, and why."""
        text = _("%(status)s since %(since)s: no gas is delivered.") % {
            "status": self.label, "since": self.since.isoformat() if self.since else "?"}
        if self.status == CustomerStatus.SHUT_OFF:
            text = _("Gas shut off (已停气) since %(since)s: no gas is delivered until supply "
                     "is restored.") % {"since": self.since.isoformat() if self.since else "?"}
        if self.why:
            text += " " + _("Why: %(why)s") % {"why": self.why}
        if self.by:
            text += " " + _("(by %(who)s)") % {"who": self.by}
        return text


def stops(customers) -> dict[int, Stop]:
    """{customer id: Stop} for the households among `customers` not supplied; one query for
    the measures of those shut off."""
    out: dict[int, Stop] = {}
    for customer in customers:
        if customer.status and customer.status != CustomerStatus.ACTIVE:
            out[customer.pk] = Stop(status=customer.status,
                                    label=str(CustomerStatus(customer.status).label),
                                    since=customer.status_date)
    shut = [pk for pk, stop in out.items() if stop.status == CustomerStatus.SHUT_OFF]
    if shut:
        seen: set[int] = set()
        for measure in (Measure.objects.filter(customer_id__in=shut, kind__in=STOPPING_MEASURES,
                                               voided_at__isnull=True)
                        .select_related("by").order_by("customer_id", "-at", "-id")):
            if measure.customer_id in seen:
                continue
            seen.add(measure.customer_id)
            stop = out[measure.customer_id]
            stop.why, stop.by, stop.at = measure.note, str(measure.by), measure.at
            if stop.since is None:
                stop.since = timezone.localdate(measure.at)
    return out


def stop_of(customer) -> Stop | None:
    """Why this household gets no gas, or None when it may be supplied."""
    return stops([customer]).get(customer.pk)
