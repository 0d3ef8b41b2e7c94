"""Reads of cylinders, always scoped: the list filters and the recall list."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core.choices import OrgKind, Role
from ranan.core.models import Organisation
from ranan.core.permissions import can
from ranan.core.scoping import enterprise_ids
from ranan.customers.models import Customer
from ranan.cylinders import codes
from ranan.cylinders.choices import CIRCULATING, EventKind, State
from ranan.cylinders.models import Cylinder, CylinderEvent, CylinderType, Scan
from ranan.lib.dates import day_bounds

IN_CIRCULATION = CIRCULATING


def cylinders_for(user) -> QuerySet:
    """The cylinders the account sees: its area's stations' (a station's staff: their own
    station's). A courier's area is the villages it serves, below its station: it sees the
    cylinders it carries and those at the households of its villages (it collects them)."""
    qs = Cylinder.objects.visible_to(user)
    if is_courier(user):
        ids = enterprise_ids(user) or set()
        households = Customer.objects.visible_to(user).values("pk")
        qs = Cylinder.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(station_id__in=ids, courier=user)
            | Q(station_id__in=ids, customer__in=households))
    return qs.select_related("type", "station", "customer", "courier")


def is_courier(user) -> bool:
    return (user.is_authenticated and user.is_active and not user.is_superuser
            and Role.COURIER in user.roles)


def held_by(user) -> QuerySet:
    """The cylinders couriers hold: dispatched to them (with a courier, the courier their
    holder) and not delivered or back at the station yet. A courier: its own; a station's
    staff: those of its couriers."""
    qs = cylinders_for(user).filter(state=State.WITH_COURIER, courier__isnull=False)
    if is_courier(user):
        qs = qs.filter(courier=user)
    return qs.order_by("courier__username", "type__size_kg", "code")


def couriers_load(user, day: datetime.date | None = None, courier_id: int | None = None
                  ) -> list[dict]:
    """The day's load of each courier the account sees (a courier: itself): cylinders it
    holds now (full, carried), dispatched to it that day, delivered by it and empties
    collected by it that day, by cylinder type."""
    day = day or timezone.localdate()
    lo, hi = day_bounds(day, day)
    if is_courier(user):
        stations, courier_id = enterprise_ids(user) or set(), user.pk
    else:
        stations = set(stations_for(user).values_list("pk", flat=True))
    events = CylinderEvent.objects.filter(station_id__in=stations, at__gte=lo, at__lt=hi,
                                          kind__in=[EventKind.DISPATCHED, EventKind.DELIVERED,
                                                    EventKind.COLLECTED])
    held = Cylinder.objects.filter(station_id__in=stations, state=State.WITH_COURIER,
                                   courier__isnull=False)
    if courier_id is not None:
        events = events.filter(Q(courier_id=courier_id) | Q(actor_id=courier_id))
        held = held.filter(courier_id=courier_id)
    rows: dict[tuple, dict] = {}

    def row(courier, kind) -> dict:
        return rows.setdefault((courier, kind), {"courier_id": courier, "type_id": kind,
                                                 "carried": 0, "dispatched": 0,
                                                 "delivered": 0, "collected": 0})

    for courier, kind, n in held.order_by().values_list("courier_id", "type_id").annotate(
            n=Count("id")):
        row(courier, kind)["carried"] += n
    counted = {EventKind.DISPATCHED: "dispatched", EventKind.DELIVERED: "delivered",
               EventKind.COLLECTED: "collected"}
    for event_kind, courier, actor, kind, n in (
            events.order_by().values_list("kind", "courier_id", "actor_id", "cylinder__type_id")
            .annotate(n=Count("id"))):
        # A dispatch names its courier; a delivery or a collection is the courier's scan.
        who = courier if event_kind != EventKind.COLLECTED and courier else actor
        if who is None or (courier_id is not None and who != courier_id):
            continue
        row(who, kind)[counted[event_kind]] += n
    from ranan.core.models import Account

    names = {a.pk: a for a in Account.objects.filter(pk__in={k[0] for k in rows})}
    types = CylinderType.objects.in_bulk({k[1] for k in rows})
    out = []
    for (courier, kind), values in sorted(rows.items(), key=lambda item: (
            str(names.get(item[0][0], "")), float(types[item[0][1]].size_kg))):
        out.append({**values, "courier": names.get(courier), "type": types[kind]})
    return out


def province_ids(user) -> set[int]:
    """The provinces (roots of the tree) of the account's area."""
    from ranan.core.models import PATH_SEGMENT

    return {int(path[:PATH_SEGMENT]) for path in user.area_paths if path}


def cylinder_types_for(user) -> QuerySet:
    """The types the account's cylinders may have: the national ones and its provinces'."""
    qs = CylinderType.objects.select_related("province").order_by("size_kg", "name", "id")
    if user.is_superuser:
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(Q(province__isnull=True) | Q(province_id__in=province_ids(user)))


def _int(params, key, low, high):
    raw = params.get(key)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({key: _("A whole number, please.")}) from None
    if not low <= value <= high:
        raise ValidationError({key: _("Between %(low)d and %(high)d.") % {"low": low, "high": high}})
    return value


def filter_cylinders(user, params, today: datetime.date | None = None) -> QuerySet:
    """Filters: station (id), state, type (id), overdue=true, due_within=<days>, q (code or
    serial)."""
    today = today or timezone.localdate()
    qs = cylinders_for(user)
    station = _int(params, "station", 1, 2**62)
    if station:
        qs = qs.filter(station_id=station)
    state = params.get("state")
    if state:
        if state not in State.values:
            raise ValidationError({"state": _("Unknown value: %(values)s") % {"values": state}})
        qs = qs.filter(state=state)
    kind = _int(params, "type", 1, 2**62)
    if kind:
        qs = qs.filter(type_id=kind)
    overdue = (params.get("overdue") or "").lower()
    if overdue in ("1", "true", "yes"):
        qs = qs.filter(overdue_q(today))
    elif overdue not in ("", "0", "false", "no"):
        raise ValidationError({"overdue": _("true or false.")})
    days = _int(params, "due_within", 0, 3650)
    if days is not None:
        qs = qs.filter(due_q(today, days))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(code=codes.normalise(q)) | Q(serial=q))
    return qs.order_by("next_inspection_due", "id")


def overdue_q(today: datetime.date) -> Q:
    return Q(next_inspection_due__lt=today) | Q(scrap_on__lte=today)


def due_q(today: datetime.date, days: int) -> Q:
    horizon = today + datetime.timedelta(days=days)
    return Q(next_inspection_due__lte=horizon) | Q(scrap_on__lte=horizon)


def recall_list(user, days: int = 30, today: datetime.date | None = None) -> QuerySet:
    """Cylinders in circulation due for inspection or scrap within `days` (or overdue),
    with where each one is (a customer holds it, a courier carries it, the station has it)."""
    today = today or timezone.localdate()
    return (cylinders_for(user).filter(state__in=IN_CIRCULATION)
            .filter(due_q(today, days)).order_by("next_inspection_due", "id"))


def stations_for(user) -> QuerySet:
    """The LPG stations the account sees (its own for a station, its area for a regulator)."""
    return (Organisation.objects.visible_to(user).filter(kind=OrgKind.LPG_STATION)
            .order_by("name"))


def own_station(user) -> Organisation | None:
    """The station whose cylinders the account manages (a station manager's own; None for
    everyone else, superusers included: they name the station)."""
    if user.is_superuser or not can(user, "cylinders.register"):
        return None
    ids = enterprise_ids(user) or set()
    return stations_for(user).filter(pk__in=ids).first()


def stock_matrix(user, station_ids) -> tuple[list, list, dict]:
    """Cylinders of the stations by state and type: (states, types, {(state, type id): n})
    with row and column totals under the key None."""
    rows = (cylinders_for(user).filter(station_id__in=station_ids).order_by()
            .values_list("state", "type_id").annotate(n=Count("id")))
    cells: dict = {}
    type_ids = set()
    for state, type_id, n in rows:
        type_ids.add(type_id)
        for key in ((state, type_id), (state, None), (None, type_id), (None, None)):
            cells[key] = cells.get(key, 0) + n
    types = list(CylinderType.objects.filter(pk__in=type_ids).order_by("size_kg", "name"))
    states = [s for s in State if (s.value, None) in cells]
    return states, types, cells


def station_summary(user, today: datetime.date | None = None) -> list[dict]:
    """Per station: cylinders in circulation, of them overdue for inspection and past scrap
    date, on the recall list, and the interlock's refusals today and in the last 30 days."""
    today = today or timezone.localdate()
    stations = list(stations_for(user))
    ids = [s.pk for s in stations]
    counts = {row["station_id"]: row for row in (
        cylinders_for(user).filter(station_id__in=ids, state__in=IN_CIRCULATION).order_by()
        .values("station_id").annotate(
            circulating=Count("id"),
            overdue=Count("id", filter=Q(next_inspection_due__lt=today, scrap_on__gt=today)),
            past_scrap=Count("id", filter=Q(scrap_on__lte=today)),
            recall=Count("id", filter=due_q(today, 30))))}
    since = timezone.now() - datetime.timedelta(days=30)
    refusals = {row["station_id"]: row for row in (
        refusals_for(user).filter(at__gte=since).order_by().values("station_id").annotate(
            month=Count("id"), today=Count("id", filter=Q(at__date=today))))}
    out = []
    for station in stations:
        row = counts.get(station.pk, {})
        ref = refusals.get(station.pk, {})
        out.append({"station": station, "circulating": row.get("circulating", 0),
                    "overdue": row.get("overdue", 0), "past_scrap": row.get("past_scrap", 0),
                    "recall": row.get("recall", 0), "refusals_today": ref.get("today", 0),
                    "refusals_month": ref.get("month", 0)})
    return out


def refusals_for(user) -> QuerySet:
    """Refused scans of the stations the account sees. The station is the scanning account's
    organisation (an unknown code has no cylinder, but the station that scanned it is known)."""
    return (Scan.objects.filter(verdict="refuse", actor__organisation__in=stations_for(user))
            .annotate(station_id=F("actor__organisation_id"))
            .select_related("actor", "actor__organisation", "cylinder"))


def fillings_for(user, station_id: int | None, start: datetime.date, end: datetime.date) -> QuerySet:
    stations = stations_for(user)
    if station_id:
        stations = stations.filter(pk=station_id)
    lo, hi = day_bounds(start, end)
    return (CylinderEvent.objects.filter(kind=EventKind.FILLED, station__in=stations,
                                         at__gte=lo, at__lt=hi)
            .select_related("cylinder", "cylinder__type", "actor", "station").order_by("-at"))


def station_phone(station) -> str:
    """The station's public phone: its active manager's."""
    return (station.accounts.filter(role_rows__role="station_manager", is_active=True)
            .exclude(phone="").values_list("phone", flat=True).first() or "")


# --- Overdue cylinders by place (issue 15 item 4) ----------------------------------------

def station_places(station_ids=None) -> dict[int, str]:
    """Where a station's cylinders are counted while they are at the station or with one of
    its couriers: the deepest area that holds every area the station serves (its one
    township, or the district of the townships it serves), so that each cylinder lies at
    exactly one node of the tree and the areas' counts add up to their parent's. A station
    that serves no area is missing (its cylinders lie nowhere: no area counts them)."""
    rows = Organisation.jurisdictions.through.objects.all()
    if station_ids is not None:
        rows = rows.filter(organisation_id__in=station_ids)
    paths: dict[int, list[str]] = {}
    for station, path in rows.values_list("organisation_id", "jurisdiction__path"):
        paths.setdefault(station, []).append(path)
    return {station: _common_node(found) for station, found in paths.items()}


def _common_node(paths: list[str]) -> str:
    from os.path import commonprefix

    from ranan.core.models import PATH_SEGMENT

    prefix = commonprefix(paths)
    return prefix[:len(prefix) - len(prefix) % PATH_SEGMENT]


def place_of(places: dict[int, str]) -> Case:
    """The path of the area a cylinder is in: at a customer, the customer's; anywhere else
    in circulation (at the station, with a courier), its station's place (`station_places`)."""
    stations: dict[str, list[int]] = {}
    for station, path in places.items():
        stations.setdefault(path, []).append(station)
    return Case(When(state=State.AT_CUSTOMER, customer__isnull=False, then=F("customer__jpath")),
                *[When(station_id__in=ids, then=Value(path))
                  for path, ids in sorted(stations.items())],
                default=Value(""), output_field=CharField())


def overdue_placed(user, today: datetime.date | None = None,
                   places: dict[int, str] | None = None) -> QuerySet:
    """The overdue cylinders in circulation the account sees, each with `place`, the path of
    the area where it is (`place_of`): the records of the KPI "cylinders_overdue" and its
    drill-down by area."""
    today = today or timezone.localdate()
    places = station_places() if places is None else places
    return (cylinders_for(user).filter(state__in=IN_CIRCULATION).filter(overdue_q(today))
            .annotate(place=place_of(places))
            .select_related("customer__jurisdiction__parent"))
