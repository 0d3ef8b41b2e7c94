"""Reads of inspections, always scoped: the tier of each household never reached (the gas
butler's ladder), the unreached list of an area, an inspector's work list for today, plan
progress per grid, and the inspection KPIs (reused by the reports)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from ranan.core.models import subtree_q
from ranan.customers.choices import CustomerStatus
from ranan.customers.models import Customer
from ranan.inspections.choices import MeasureKind, Outcome, Tier, VisitKind
from ranan.inspections.models import Measure, Plan, Referral, Target, Visit
from ranan.lib.dates import day_bounds, day_start
from ranan.lib.naturalsort import natural_key

# The second refusal of the check at the door in a cycle puts the household on the
# shut-off tier's list (issue 14: a station that delivers and counts the refusals); the
# courier is warned before the third.
CHECK_REFUSALS_TO_SHUT_OFF = 2


def tier_of(*, not_home: int = 0, refused: int = 0, address_not_found: int = 0,
            inspected: bool = False, shut: bool = False, enforcement: bool = False,
            check_refused: int = 0) -> str | None:
    """The ladder (issue 5): a refusal to fix a hazard → enforcement; valve shut → shut;
    reached (inspected) → no tier; refused an inspection, refused the check at the door
    twice (`check_refused`: delivery visits refused), or 3+ times not at home → to be shut
    off; 1–2 times not at home, one refused check at the door (or the address not found) →
    revisit at another time; never visited → no tier yet."""
    if enforcement:
        return Tier.ENFORCEMENT
    if shut:
        return Tier.SHUT
    if inspected:
        return None
    if refused or not_home >= 3 or check_refused >= CHECK_REFUSALS_TO_SHUT_OFF:
        return Tier.SHUT_OFF
    if not_home or address_not_found or check_refused:
        return Tier.REVISIT
    return None


def counted_visits() -> QuerySet:
    """Visits that count: a corrected visit is replaced by its correction."""
    return Visit.objects.filter(correction__isnull=True)


@dataclass
class Standing:
    customer_id: int
    not_home: int = 0
    refused: int = 0
    check_refused: int = 0
    address_not_found: int = 0
    inspected: int = 0
    last_visit: datetime.datetime | None = None
    last_outcome: str = ""
    shut: bool = False
    enforcement: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def unanswered(self) -> int:
        return self.not_home + self.refused + self.check_refused + self.address_not_found

    @property
    def tier(self) -> str | None:
        return tier_of(not_home=self.not_home, refused=self.refused,
                       address_not_found=self.address_not_found, inspected=bool(self.inspected),
                       shut=self.shut, enforcement=self.enforcement,
                       check_refused=self.check_refused)


def standings(customers: QuerySet, since: datetime.datetime,
              path: str | None = None, unreached_only: bool = False) -> dict[int, Standing]:
    """Each customer's visits since `since` (counted ones only) and measures, by customer id.
    `customers` is a scoped queryset; two grouped queries and one for the shut households.
    `path`: the area the customers are in, when known (the visits' own path index is used).
    `unreached_only`: leave out in SQL the households reached (most of an area: the list of
    the unreached needs only the others)."""
    ids = customers.values("pk")
    out: dict[int, Standing] = {}
    visits = counted_visits().filter(customer__in=ids, started_at__gte=since)
    if path is not None:
        visits = visits.filter(subtree_q("jpath", path))
    rows = (visits.order_by()
            .values("customer_id").annotate(
                not_home=Count("id", filter=Q(outcome=Outcome.NOT_HOME)),
                refused=Count("id", filter=Q(outcome=Outcome.REFUSED)
                              & ~Q(kind=VisitKind.DELIVERY)),
                check_refused=Count("id", filter=Q(outcome=Outcome.REFUSED,
                                                   kind=VisitKind.DELIVERY)),
                address_not_found=Count("id", filter=Q(outcome=Outcome.ADDRESS_NOT_FOUND)),
                inspected=Count("id", filter=Q(outcome=Outcome.INSPECTED)),
                last_visit=Max("started_at")))
    if unreached_only:
        rows = rows.filter(inspected=0)
    for row in rows:
        out[row["customer_id"]] = Standing(**row)
    for customer_id, kind in (Measure.objects.filter(customer__in=ids, at__gte=since,
                                                     voided_at__isnull=True)
                              .order_by().values_list("customer_id", "kind").distinct()):
        standing = out.setdefault(customer_id, Standing(customer_id))
        if kind == MeasureKind.ENFORCEMENT:
            standing.enforcement = True
    for customer_id in customers.filter(status=CustomerStatus.SHUT_OFF).values_list("pk",
                                                                                     flat=True):
        out.setdefault(customer_id, Standing(customer_id)).shut = True
    return out


def check_refusals(customer_ids, since: datetime.datetime | None = None) -> dict[int, int]:
    """How many times each household refused the safety check at the door (delivery visits
    refused) since `since` (default: the ladder's window, `default_since`)."""
    since = since or default_since()
    rows = (counted_visits().filter(customer__in=list(customer_ids), started_at__gte=since,
                                    kind=VisitKind.DELIVERY, outcome=Outcome.REFUSED)
            .order_by().values("customer_id").annotate(n=Count("id")))
    return {row["customer_id"]: row["n"] for row in rows}


def area_customers(user, path: str) -> QuerySet:
    return Customer.objects.visible_to(user).filter(subtree_q("jpath", path))


def default_since(today: datetime.date | None = None) -> datetime.datetime:
    """Without a plan, the ladder looks at the last 12 months."""
    today = today or timezone.localdate()
    start = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) \
        else today.replace(year=today.year - 1, day=28)
    return day_start(start)


def unreached(user, path: str, since: datetime.datetime | None = None,
              tier: str | None = None) -> list[dict]:
    """The households of an area on the ladder (any tier), most urgent first, with their
    unanswered visits: the community's and the sub-district's list."""
    since = since or default_since()
    customers = area_customers(user, path)
    by_id = {pk: s for pk, s in standings(customers, since, path, unreached_only=True).items()
             if s.tier}
    if tier:
        by_id = {pk: s for pk, s in by_id.items() if s.tier == tier}
    rows = []
    for customer in (customers.filter(pk__in=list(by_id)).select_related("jurisdiction")
                     .only("id", "name", "address", "building", "unit", "room", "home_times",
                           "jurisdiction__name", "status", "jpath")):
        standing = by_id[customer.pk]
        rows.append({"customer": customer, "tier": standing.tier, "standing": standing})
    order = {Tier.ENFORCEMENT: 0, Tier.SHUT_OFF: 1, Tier.REVISIT: 2, Tier.SHUT: 3}
    rows.sort(key=lambda r: (order[r["tier"]], -r["standing"].unanswered, r["customer"].pk))
    return rows


HOME_WORDS = {
    "morning": ("上午", "早上", "早晨", "morning"),
    "noon": ("中午", "noon", "lunch"),
    "afternoon": ("下午", "afternoon"),
    "evening": ("晚上", "傍晚", "夜", "evening", "night"),
    "weekend": ("周末", "星期六", "星期日", "周六", "周日", "weekend", "saturday", "sunday"),
}


def part_of_day(moment: datetime.datetime) -> set[str]:
    local = timezone.localtime(moment)
    parts = {"weekend"} if local.weekday() >= 5 else set()
    hour = local.hour
    parts.add("morning" if hour < 11 else "noon" if hour < 13 else "afternoon" if hour < 18
              else "evening")
    return parts


def home_rank(home_times: str, now: datetime.datetime) -> int:
    """0: usually at home now; 1: unknown; 2: usually at home at another time."""
    text = (home_times or "").lower()
    said = {part for part, words in HOME_WORDS.items() if any(w in text for w in words)}
    if not said:
        return 1
    return 0 if said & part_of_day(now) else 2


WORK_ORDER = {Tier.REVISIT: 0, None: 1, Tier.SHUT_OFF: 2, Tier.ENFORCEMENT: 3}


def plans_for(user) -> QuerySet:
    """Plans of the account's area, and those that assign it households: a plan made for a
    district lies above its inspectors' areas (its progress shows them their own part)."""
    return Plan.objects.filter(Q(pk__in=Plan.objects.visible_to(user).values("pk"))
                               | Q(pk__in=Target.objects.filter(assignee=user).values("plan_id")))


def active_plans(user, today: datetime.date | None = None) -> QuerySet:
    """The running plans that assign the account households."""
    today = today or timezone.localdate()
    return Plan.objects.filter(start__lte=today, end__gte=today,
                               pk__in=Target.objects.filter(assignee=user).values("plan_id"))


# Other apps' visits on an inspector's day: callables (user, day) -> [row], each row with
# "at" (a datetime), "title", "where", "url" (see hazards.selectors.booked_visits).
WORK_LIST_HOOK = "inspections.work_list"


def booked_visits(user, day: datetime.date | None = None) -> list[dict]:
    """The visits other apps booked for the account on `day` (default today), by time: the
    hook "inspections.work_list"."""
    from ranan.core import contract

    day = day or timezone.localdate()
    rows = [row for hook in contract.hooks(WORK_LIST_HOOK) for row in hook(user, day)]
    return sorted(rows, key=lambda r: r["at"])


def work_list(user, now: datetime.datetime | None = None) -> list[dict]:
    """Today's list of an inspector: the unreached targets of the running plans assigned to
    them (valves already shut are left out), households to revisit first, then those not
    visited yet, then those waiting for a shut-off; inside each, those usually at home now
    first."""
    now = now or timezone.now()
    rows = []
    seen: set[int] = set()  # a household in two overlapping plans is listed once
    for plan in active_plans(user, timezone.localdate(now)).order_by("start", "id"):
        targets = Target.objects.filter(plan=plan, assignee=user)
        customer_ids = targets.values("customer_id")
        customers = Customer.objects.visible_to(user).filter(pk__in=customer_ids)
        since = day_start(plan.start)
        by_id = standings(customers, since)
        for customer in customers.select_related("jurisdiction"):
            standing = by_id.get(customer.pk) or Standing(customer.pk)
            if standing.inspected or standing.tier == Tier.SHUT or customer.pk in seen:
                continue
            seen.add(customer.pk)
            rows.append({"customer": customer, "tier": standing.tier, "standing": standing,
                         "plan": plan, "home_rank": home_rank(customer.home_times, now)})
    rows.sort(key=lambda r: (WORK_ORDER[r["tier"]], r["home_rank"],
                             r["customer"].jpath, r["customer"].pk))
    return rows


def plan_progress(user, plan: Plan) -> list[dict]:
    """Per grid (the customer's village, community or grid): targets, reached, and the
    unreached by tier; the plan's total last."""
    since, until = day_bounds(plan.start, plan.end)
    customers = Customer.objects.visible_to(user).filter(
        pk__in=Target.objects.filter(plan=plan).values("customer_id"))
    by_id = standings(customers, since)
    reached = set(counted_visits().filter(customer__in=customers.values("pk"),
                                          outcome=Outcome.INSPECTED, started_at__gte=since,
                                          started_at__lt=until)
                  .values_list("customer_id", flat=True))
    grids: dict[int, dict] = {}
    total = {"name": "", "targets": 0, "reached": 0, "not_visited": 0,
             **{t: 0 for t in Tier.values}}
    for customer_id, jurisdiction_id, name in customers.values_list(
            "pk", "jurisdiction_id", "jurisdiction__name"):
        row = grids.setdefault(jurisdiction_id, {"name": name, "jurisdiction_id": jurisdiction_id,
                                                 "targets": 0, "reached": 0, "not_visited": 0,
                                                 **{t: 0 for t in Tier.values}})
        standing = by_id.get(customer_id)
        tier = standing.tier if standing else None
        key = tier or ("reached" if customer_id in reached else "not_visited")
        for bucket in (row, total):
            bucket["targets"] += 1
            bucket[key] += 1
    out = sorted(grids.values(), key=lambda r: natural_key(r["name"]))
    for row in [*out, total]:
        row["rate"] = row["reached"] / row["targets"] if row["targets"] else None
    return [*out, total]


def referrals(user) -> QuerySet:
    """The referrals for enforcement of the account's area, newest first."""
    return (Referral.objects.visible_to(user)
            .select_related("customer", "organisation", "accepted_by", "closed_by"))


def supply_measures(user, customer: Customer) -> QuerySet:
    """The household's shut-offs, seals, referrals and restores, newest first (the voided
    ones too, marked)."""
    return (Measure.objects.visible_to(user).filter(customer=customer)
            .select_related("by", "organisation", "visit", "voided_by").order_by("-at", "-id"))


def restore_visits(customer: Customer) -> QuerySet:
    """The completed inspections a restore of supply can rest on: counted, since the last
    shut-off (or seal), newest first."""
    stopped = (Measure.objects.filter(customer=customer, voided_at__isnull=True,
                                      kind__in=[MeasureKind.SHUT_OFF, MeasureKind.SEALED])
               .order_by("-at").values_list("at", flat=True).first())
    visits = counted_visits().filter(customer=customer, outcome=Outcome.INSPECTED)
    if stopped is not None:
        visits = visits.filter(started_at__gte=stopped)
    return visits.select_related("inspector").order_by("-started_at")
