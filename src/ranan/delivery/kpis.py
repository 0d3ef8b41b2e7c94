"""The delivery's KPIs: deliveries, those with a completed safety check, the wait from order
to delivery (median and 90th percentile)."""

from __future__ import annotations

import functools

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.kpis import Context, Kpi, Rows, duration_percentile
from ranan.delivery.choices import OrderState
from ranan.delivery.models import Order

ORDER_ROWS = Rows([(_("Order"), "pk"), (_("Customer"), "customer"),
                   (_("Asked at"), "received_at"), (_("Delivered at"), "delivered_at"),
                   (_("Courier"), "delivered_by")],
                  link=lambda o: reverse("delivery-order", args=[o.pk]))


def delivered(ctx: Context) -> QuerySet:
    """The orders delivered in the area in the period."""
    return (Order.objects.visible_to(ctx.user)
            .filter(ctx.within("jpath"), state=OrderState.DELIVERED,
                    delivered_at__gte=ctx.lo, delivered_at__lt=ctx.hi)
            .select_related("customer", "delivered_by"))


def _checked(ctx: Context) -> QuerySet:
    return delivered(ctx).filter(visit__outcome="inspected")


# A delivery KPI: its drill-down lists orders.
_kpi = functools.partial(Kpi, model="order", rows=ORDER_ROWS, section="delivery")


KPIS = [
    _kpi("deliveries", _("Deliveries"), "count", _("orders delivered in the period"),
         delivered, higher_is_better=None, order=600),
    _kpi("deliveries_checked_rate", _("Deliveries with a completed check"), "ratio",
         _("deliveries whose check was completed / deliveries in the period"), _checked,
         base=delivered, order=610),
    _kpi("delivery_wait_median_hours", _("Median wait from order to delivery"), "hours",
         _("median hours from the order to its delivery, deliveries in the period"),
         delivered, median=duration_percentile("received_at", "delivered_at", 3600),
         higher_is_better=False, order=620),
    _kpi("delivery_wait_p90_hours", _("Wait from order to delivery, 90th percentile"), "hours",
         _("hours from the order to its delivery within which 9 deliveries in 10 came, "
           "deliveries in the period"), delivered,
         median=duration_percentile("received_at", "delivered_at", 3600, 0.9),
         higher_is_better=False, order=630),
]
