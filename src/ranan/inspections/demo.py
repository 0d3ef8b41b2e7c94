"""Demo inspections (issue 5), reproducing the Ningbo seed's starting point in 翠东社区: a plan
for the community's 804 households, of which 587 were inspected at the first visit and 217
not (149 not at home at the first visit, 66 not at home three times, 2 refused): entry success
(804 − 217) / 804. 46 of the inspected households have a major hazard (22 water heaters
without a flue, 21 gas used in a closed room, 3 private connections); 24 corroded indoor
pipes, 56 stoves without flame-out protection; 237 rubber hoses replaced by metal ones on the
spot. In the Dazi-like villages, ~300 checks with a delivery by the village couriers, with
regulators and hoses replaced on the spot.

Rows are written in bulk (the demo starts in seconds); they follow the same rules as
`services.visit_submit` (the tests check the demo's figures through the selectors)."""

from __future__ import annotations

import datetime
import random
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Case, When
from django.utils import timezone

from ranan.core.choices import Role
from ranan.core.models import Account, Organisation
from ranan.customers.choices import CustomerKind, DeviceKind, HoseMaterial
from ranan.customers.models import Customer, Device
from ranan.customers.rules import missing_mask
from ranan.inspections import referrals, services
from ranan.inspections.catalogue import ITEMS
from ranan.inspections.choices import MeasureKind
from ranan.inspections.models import Answer, Finding, Plan, Target, Visit

SEED = {"households": 804, "not_home_once": 149, "not_home_thrice": 66, "refused": 2}
MAJOR = {"water_heater_flue": 22, "not_closed_room": 21, "no_private_connection": 3}
OTHER_FINDINGS = {"indoor_pipe": 24, "stove_flame_out": 56}
HOSES_REPLACED = 237


def _signature() -> str:
    """One drawn signature for the demo's inspections (the form records a real one)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 100), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(20, 70), (60, 30), (90, 75), (130, 25), (170, 70), (210, 40), (260, 60)],
              fill="navy", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return default_storage.save("signatures/demo-signature.png", ContentFile(out.getvalue()))


def _at(rng, day: datetime.date, hours=(9, 19)) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(*hours), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _value(item, failing: bool, rng) -> str:
    kind = ITEMS[item.code][2]
    if kind == "pass_fail":
        return "fail" if failing else "pass"
    if kind == "number":
        if failing:
            return str(int(item.fail_above) + rng.randint(1, 4))
        return str(rng.randint(0, int(item.fail_above)) if item.fail_above is not None else 1)
    return next(c["value"] for c in item.choices if c["fails"] == failing)


class _Writer:
    def __init__(self, signature: str):
        self.signature = signature
        self.visits: list[Visit] = []
        self.answers: list[tuple[Visit, list]] = []  # (visit, [(item, value, failed, fixed)])
        self.findings: list[tuple[Visit, object, str]] = []

    def visit(self, customer, inspector, kind, outcome, at, plan=None, checklist=None,
              answers=()):
        visit = Visit(customer=customer, jpath=customer.jpath, inspector=inspector, kind=kind,
                      outcome=outcome, started_at=at, ended_at=at + datetime.timedelta(minutes=12),
                      checklist=checklist, client_id=uuid.uuid4(), plan=plan,
                      signature=self.signature if outcome == "inspected" else "",
                      failed_count=sum(1 for a in answers if a[2]),
                      fixed_count=sum(1 for a in answers if a[3]))
        self.visits.append(visit)
        if answers:
            self.answers.append((visit, list(answers)))
        for item, value, failed, fixed in answers:
            if failed and not fixed:
                self.findings.append((visit, item, value))
        return visit

    def save(self):
        Visit.objects.bulk_create(self.visits, batch_size=1000)
        Answer.objects.bulk_create(
            [Answer(visit=v, item=item, value=value, failed=failed, fixed=fixed,
                    part=item.fix_part if fixed else "")
             for v, rows in self.answers for item, value, failed, fixed in rows],
            batch_size=5000)
        Finding.objects.bulk_create(
            [Finding(visit=v, customer=v.customer, jpath=v.jpath, item=item,
                     category=item.hazard_category or "other",
                     grade=item.default_grade or "general",
                     description=item.finding_text(value), found_at=v.started_at)
             for v, item, value in self.findings], batch_size=2000)


def _replace(customer, kind, day, **values) -> None:
    for old in Device.objects.filter(customer=customer, kind=kind, removed_on__isnull=True):
        day = max(day, old.installed_on or day)
        Device.objects.filter(pk=old.pk).update(removed_on=day)
    Device.objects.create(customer=customer, kind=kind, installed_on=day, **values)


def extend(world: dict) -> None:
    rng = random.Random(5)
    today = timezone.localdate()
    # The demo customers were registered three years ago (their visits come after).
    Customer.objects.update(created_at=timezone.now() - datetime.timedelta(days=3 * 365))
    writer = _Writer(_signature())
    butler = Account.objects.get(username="butler")
    admin = Account.objects.get(username="ningbo_gas")
    cuidong = world["cuidong"]
    plan = Plan.objects.create(jurisdiction=cuidong, jpath=cuidong.path,
                               title=f"翠东社区 {today.year} 年入户安检",
                               start=today - datetime.timedelta(days=60),
                               end=today + datetime.timedelta(days=30), created_by=admin)
    community = list(Customer.objects.filter(jpath__startswith=cuidong.path)
                     .order_by("id"))
    Target.objects.bulk_create([Target(plan=plan, customer=c, jpath=c.jpath, assignee=butler)
                                for c in community])
    households = [c for c in community if c.kind == CustomerKind.RESIDENTIAL]
    assert len(households) == SEED["households"], len(households)
    checklist = services.current_checklist("pipeline_household")
    items = {item.code: item for item in checklist.items.all()}
    order = households[:]
    rng.shuffle(order)
    n1, n3, nr = SEED["not_home_once"], SEED["not_home_thrice"], SEED["refused"]
    once, thrice, refused = order[:n1], order[n1:n1 + n3], order[n1 + n3:n1 + n3 + nr]
    inspected = order[n1 + n3 + nr:]

    def first_pass_day():
        return plan.start + datetime.timedelta(days=rng.randint(0, 40))

    for customer in once:
        writer.visit(customer, butler, "periodic", "not_home", _at(rng, first_pass_day()), plan)
    for customer in thrice:
        day = first_pass_day()
        for n, hours in enumerate(((9, 11), (14, 17), (18, 20))):
            writer.visit(customer, butler, "periodic", "not_home",
                         _at(rng, day + datetime.timedelta(days=4 * n), hours), plan)
    for customer in refused:
        writer.visit(customer, butler, "periodic", "refused", _at(rng, first_pass_day()), plan)
    failing: dict[int, set[str]] = {c.pk: set() for c in inspected}
    pool = inspected[:]
    rng.shuffle(pool)
    cursor = 0
    for code, count in MAJOR.items():  # 46 distinct households with a major hazard
        for customer in pool[cursor:cursor + count]:
            failing[customer.pk].add(code)
        cursor += count
    for code, count in OTHER_FINDINGS.items():
        for customer in rng.sample(inspected, count):
            failing[customer.pk].add(code)
    rubber = set(Device.objects.filter(customer__in=inspected, kind=DeviceKind.HOSE,
                                       removed_on__isnull=True, material=HoseMaterial.RUBBER)
                 .values_list("customer_id", flat=True))
    hose_fixed = set(rng.sample(sorted(rubber), min(HOSES_REPLACED, len(rubber))))
    for customer in inspected:
        day = first_pass_day()
        answers = []
        for code, item in items.items():
            bad = code in failing[customer.pk] or (code == "hose_type" and customer.pk in rubber)
            fixed = code == "hose_type" and customer.pk in hose_fixed
            answers.append((item, _value(item, bad, rng), bad, fixed))
        writer.visit(customer, butler, "periodic", "inspected", _at(rng, day), plan, checklist,
                     answers)
        if customer.pk in hose_fixed:
            _replace(customer, DeviceKind.HOSE, day, material=HoseMaterial.METAL,
                     length_m=Decimal("1.0"))
    _dazi_delivery_checks(world, writer, rng, today)
    writer.save()
    _referrals(world)
    for customer in Customer.objects.filter(pk__in=hose_fixed | writer_fixed(writer)):
        customer.missing = missing_mask(customer.supply, list(customer.devices.current()))
        Customer.objects.filter(pk=customer.pk).update(missing=customer.missing)


# (who refers, the department, days ago, accepted): households that refuse to fix a major
# hazard found at their inspection, referred for enforcement, so that each department's
# account has referrals to answer (one fresh, one accepted and still open).
REFERRALS = [("butler", "江北区综合行政执法局（燃气）", "cuidong", 1, False),
             ("butler", "江北区综合行政执法局（燃气）", "cuidong", 9, True),
             ("station", "达孜区住房和城乡建设局", "dazi", 2, False)]


def _referrals(world) -> None:
    taken: set[int] = set()
    for username, department, area, days, accepted in REFERRALS:
        actor = Account.objects.get(username=username)
        organisation = Organisation.objects.get(name=department)
        worst_first = Case(When(grade="major", then=0), When(grade="large", then=1), default=2)
        finding = (Finding.objects.filter(jpath__startswith=world[area].path)
                   .exclude(customer_id__in=taken).order_by(worst_first, "found_at", "id")
                   .first())
        if finding is None:
            continue
        taken.add(finding.customer_id)
        measure = services.measure_record(
            actor=actor, customer=finding.customer, kind=MeasureKind.ENFORCEMENT,
            organisation=organisation,
            at=timezone.now() - datetime.timedelta(days=days, hours=2),
            note=f"拒不整改：{finding.description}"[:500])
        if accepted:
            clerk = Account.objects.filter(organisation=organisation).order_by("id").first()
            referrals.referral_accept(actor=clerk, referral=measure.referral)


def writer_fixed(writer) -> set[int]:
    return {v.customer_id for v, rows in writer.answers if any(r[3] for r in rows)}


def _dazi_delivery_checks(world, writer, rng, today) -> None:
    """Checks with a delivery in the villages: the village's courier, the LPG checklist,
    old regulators and rubber hoses replaced on the spot (the seed: 82 and 96 in all)."""
    checklist = services.current_checklist("lpg_household")
    items = {item.code: item for item in checklist.items.all()}
    couriers = {}
    for account in Account.objects.filter(role_rows__role=Role.COURIER).prefetch_related("area"):
        for node in account.area.all():
            couriers.setdefault(node.path, account)
    households = list(Customer.objects.filter(lpg_station=world["station"],
                                              kind=CustomerKind.RESIDENTIAL).order_by("id"))
    sample = rng.sample(households, 300)
    devices = {}
    for device in Device.objects.filter(customer__in=sample, removed_on__isnull=True,
                                        kind__in=[DeviceKind.HOSE, DeviceKind.REGULATOR]):
        devices[(device.customer_id, device.kind)] = device
    regulators, hoses = 0, 0
    for customer in sample:
        courier = couriers.get(customer.jpath)
        if courier is None:
            continue
        day = today - datetime.timedelta(days=rng.randint(1, 120))
        if rng.random() < 0.04:
            writer.visit(customer, courier, "delivery", "not_home", _at(rng, day, (8, 17)))
            continue
        answers = []
        regulator = devices.get((customer.pk, DeviceKind.REGULATOR))
        hose = devices.get((customer.pk, DeviceKind.HOSE))
        for code, item in items.items():
            bad = ((code == "regulator_cutoff" and regulator is not None
                    and not regulator.has_cutoff)
                   or (code == "hose_type" and hose is not None
                       and hose.material == HoseMaterial.RUBBER)
                   or (code == "hose_length" and hose is not None and hose.length_m
                       and hose.length_m > 2)
                   or (code == "stove_flame_out" and rng.random() < 0.08)
                   or (code == "ventilation" and rng.random() < 0.04))
            fixed = bad and ((code == "regulator_cutoff" and regulators < 82 and rng.random() < 0.8)
                             or (code == "hose_type" and hoses < 96 and rng.random() < 0.6))
            if fixed and code == "regulator_cutoff":
                regulators += 1
                _replace(customer, DeviceKind.REGULATOR, day, has_cutoff=True)
            if fixed and code == "hose_type":
                hoses += 1
                _replace(customer, DeviceKind.HOSE, day, material=HoseMaterial.METAL,
                         length_m=Decimal("1.2"))
            value = (str(hose.length_m) if code == "hose_length" and hose is not None
                     and hose.length_m else _value(item, bad, rng))
            answers.append((item, value, bad, fixed))
        writer.visit(customer, courier, "delivery", "inspected", _at(rng, day, (8, 17)),
                     None, checklist, answers)
