"""Reads of orders and rounds, always scoped, and the delivery reports the reports issue
reuses: deliveries per courier, village and day; the wait from order to delivery (median and
90th percentile); the share delivered with a completed check; failures by reason; money
collected per courier and day."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from ranan.core import kpis
from ranan.core.models import subtree_q
from ranan.delivery.choices import OPEN_STATES, OrderState, Payment
from ranan.delivery.models import Order, Price, Round, StationService, VillageRound
from ranan.lib.dates import day_bounds


def orders_for(user) -> QuerySet:
    return Order.objects.visible_to(user).select_related("customer", "cylinder_type", "round",
                                                         "round__courier")


def rounds_for(user) -> QuerySet:
    return Round.objects.visible_to(user).select_related("courier", "station")


def prices_for(user) -> QuerySet:
    return (Price.objects.visible_to(user).select_related("station", "cylinder_type")
            .order_by("station_id", "cylinder_type_id", "-valid_from", "id"))


def services_for(user) -> QuerySet:
    return StationService.objects.visible_to(user).select_related("station").order_by("id")


def village_rounds_for(user) -> QuerySet:
    return (VillageRound.objects.visible_to(user).select_related("station", "village")
            .order_by("station_id", "village__name", "id"))


def courier_stops(user, day: datetime.date) -> QuerySet:
    """The stops of the account's own round(s) on a day, in the planned order; stops not
    planned yet (added after planning, or never planned) after them, by priority then the
    time they were asked. (`evening_first` puts the evening queue on top where the station
    serves it first.)"""
    return (orders_for(user).filter(round__courier=user, round__date=day)
            .order_by(F("sequence").asc(nulls_last=True), "priority", "received_at", "id"))


def evening_first(stops: list) -> list:
    """The evening queue first (晚间登记，次日优先) where the station's policy serves
    after-hours orders the next morning: the open orders asked after hours, then the rest,
    each in the order given. Marks each stop's `evening`."""
    from ranan.delivery.choices import EveningOrders

    policies = dict(StationService.objects.filter(
        station_id__in={s.station_id for s in stops}).values_list("station_id",
                                                                  "evening_orders"))
    for stop in stops:
        stop.evening = (stop.after_hours and stop.state in OPEN_STATES and policies.get(
            stop.station_id) == EveningOrders.NEXT_MORNING)
    return sorted(stops, key=lambda s: 0 if s.evening else 1)


def own_station_ids(user) -> set[int]:
    """The stations whose orders the account runs (a station's staff: its own); empty for
    everyone else."""
    from ranan.core.scoping import enterprise_ids

    if user.is_superuser:
        return set()
    return set(enterprise_ids(user) or ())


def held_orders(user) -> QuerySet:
    """Orders held because the household's gas is shut off (the station's policy), oldest
    first: the station sees them with the reason."""
    return orders_for(user).filter(state=OrderState.HELD).order_by("received_at", "id")


def after_hours_queue(user) -> QuerySet:
    """Orders asked outside service hours still waiting: served first at the next opening."""
    return orders_for(user).filter(after_hours=True, state__in=list(OPEN_STATES)).order_by(
        "scheduled_date", "priority", "received_at")


def unassigned(user) -> QuerySet:
    return orders_for(user).filter(state=OrderState.NEW, round__isnull=True)


def couriers_load(user, day: datetime.date) -> list[dict]:
    rows = (orders_for(user).filter(scheduled_date=day, round__isnull=False)
            .values("round_id", "round__courier__username", "round__courier__full_name",
                    "round__km_after")
            .annotate(orders=Count("id"), cylinders=Sum("quantity"),
                      done=Count("id", filter=Q(state=OrderState.DELIVERED)))
            .order_by("round__courier__username"))
    return list(rows)


# The catalogue's KPIs on the delivery report.
REPORT_KPIS = ["deliveries", "deliveries_checked_rate", "delivery_wait_median_hours",
               "delivery_wait_p90_hours"]


def _period(path, start, end, user):
    lo, hi = day_bounds(start, end)
    qs = Order.objects.visible_to(user)
    if path:
        qs = qs.filter(subtree_q("jpath", path))
    return qs, lo, hi


def report(user, path: str | None, start: datetime.date, end: datetime.date) -> dict:
    """The delivery report of an area (None: all the account sees): the catalogue's delivery
    KPIs, and the tables behind the page (by day, courier and village; money; failures)."""
    orders, lo, hi = _period(path, start, end, user)
    figures = {r["name"]: r for r in kpis.compute(user, path, start, end, REPORT_KPIS)}
    delivered = orders.filter(state=OrderState.DELIVERED, delivered_at__gte=lo,
                              delivered_at__lt=hi)
    by_day = (delivered.annotate(day=TruncDate("delivered_at"))
              .values("day", "delivered_by__username", "customer__jurisdiction__name")
              .annotate(deliveries=Count("id"), cylinders=Sum("quantity"))
              .order_by("day", "delivered_by__username"))
    money = (delivered.exclude(payment=Payment.UNPAID).annotate(day=TruncDate("delivered_at"))
             .values("day", "delivered_by__username").annotate(total=Sum("total"))
             .order_by("day", "delivered_by__username"))
    failed = (orders.filter(state=OrderState.FAILED, received_at__gte=lo, received_at__lt=hi)
              .values("fail_reason").annotate(n=Count("id")).order_by("-n"))
    checked = figures["deliveries_checked_rate"]
    return {
        "deliveries": figures["deliveries"]["value"],
        "delivery_wait_median_hours": figures["delivery_wait_median_hours"]["value"],
        "delivery_wait_p90_hours": figures["delivery_wait_p90_hours"]["value"],
        "deliveries_checked_rate": {k: checked[k] for k in ("value", "numerator",
                                                             "denominator")},
        "by_day_courier_village": list(by_day),
        "money_by_courier_day": list(money),
        "failed_by_reason": list(failed),
    }


def round_load(user, the_round: Round) -> dict:
    """What the round needs and what its courier carries, by cylinder type: full cylinders
    its open orders need, carried now (full, with the courier), loaded that day, delivered
    and empties collected that day (the cylinders' own figures, `couriers_load`), and how
    many are still missing; the cylinders carried, one by one."""
    from ranan.cylinders import selectors as cylinder_selectors
    from ranan.cylinders.models import CylinderType

    needed = dict(the_round.orders.filter(state__in=list(OPEN_STATES)).order_by()
                  .values_list("cylinder_type_id").annotate(n=Sum("quantity")))
    rows: dict[int, dict] = {}
    if the_round.courier_id is not None:
        for r in cylinder_selectors.couriers_load(user, the_round.date,
                                                  courier_id=the_round.courier_id):
            rows[r["type"].pk] = {k: r[k] for k in ("carried", "dispatched", "delivered",
                                                    "collected")}
    types = CylinderType.objects.in_bulk(set(needed) | set(rows))
    out = []
    for pk, kind in sorted(types.items(), key=lambda item: (float(item[1].size_kg),
                                                            item[1].name)):
        row = {"type": kind, "needed": needed.get(pk, 0), "carried": 0, "dispatched": 0,
               "delivered": 0, "collected": 0, **rows.get(pk, {})}
        row["missing"] = max(row["needed"] - row["carried"], 0)
        out.append(row)
    totals = {k: sum(r[k] for r in out) for k in ("needed", "carried", "dispatched",
                                                  "delivered", "collected", "missing")}
    held = []
    if the_round.courier_id is not None:
        held = list(cylinder_selectors.held_by(user).filter(courier_id=the_round.courier_id)
                    [:500])
    return {"round": the_round, "types": out, "totals": totals, "held": held}


def own_rounds(user) -> QuerySet:
    """The rounds the account drives (a courier's own: its area is its villages, below the
    station's, so the station's scope does not reach them)."""
    return Round.objects.filter(courier=user).select_related("courier", "station")


def courier_rounds(user, day: datetime.date) -> QuerySet:
    """The account's own rounds of a day (a courier: one per station it works for)."""
    return own_rounds(user).filter(date=day).order_by("station_id", "id")
