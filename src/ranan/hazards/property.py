"""A property manager's estates (物业, issue 14 item 7): the reads and the one write of the
role `property_manager` (declared in this app's config, narrow: it holds only the
capabilities that name it).

Its estates are its account's area (communities, villages or grids). It sees their hazards
(not closed first), their unreached households (the inspections' ladder) and the messages
sent to its company or to itself, and reports LPG used in a high-rise building of an estate:
a hazard of the category `high_rise_lpg`, the only one it records. Everything is read through
`visible_to`, so an estate of another company is out of scope (404 / 400 naming the field).
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.models import Jurisdiction, Message, subtree_q
from ranan.core.permissions import require
from ranan.hazards import services
from ranan.hazards.apps import PROPERTY_MANAGER  # noqa: F401  (the role's code, for callers)
from ranan.hazards.choices import DONE, EventKind, Responsible, Source, State
from ranan.hazards.models import Category, Hazard, HazardEvent
from ranan.hazards.selectors import hazards_for, overdue_q
from ranan.inspections import selectors as inspection_selectors
from ranan.lib.idempotency import replay, same_as

HIGH_RISE = "high_rise_lpg"
MAX_ESTATE_PLACES = 200
MESSAGES = 20


# --- Reads -------------------------------------------------------------------------------------


def estates_for(user) -> list[Jurisdiction]:
    """The estates the account manages: the nodes of its area, in tree order."""
    if not user.is_authenticated:
        return []
    return list(user.area.select_related("parent").order_by("path"))


def places_for(user) -> list[Jurisdiction]:
    """Where a report may be placed: the estates and the grids under them."""
    estates = estates_for(user)
    if not estates:
        return []
    q = Q(pk__in=[])
    for estate in estates:
        q |= subtree_q("path", estate.path)
    return list(Jurisdiction.objects.visible_to(user).filter(q).select_related("parent")
                .order_by("path")[:MAX_ESTATE_PLACES])


def estate_hazards(user, estate: Jurisdiction | None = None, closed: bool = False) -> QuerySet:
    """The hazards of the account's estates (or of one), those not closed unless `closed`,
    the most overdue first."""
    qs = hazards_for(user)
    if estate is not None:
        qs = qs.filter(subtree_q("jpath", estate.path))
    if not closed:
        qs = qs.exclude(state__in=list(DONE))
    return qs.order_by("deadline", "id")


def estate_unreached(user, estate: Jurisdiction | None = None) -> list[dict]:
    """The unreached households of the estates (or of one), most urgent first."""
    rows = []
    for node in [estate] if estate is not None else estates_for(user):
        rows += inspection_selectors.unreached(user, node.path)
    return rows


def estate_summary(user) -> list[dict]:
    """Per estate: hazards not closed, of which overdue, and unreached households."""
    today = timezone.localdate()
    out = []
    for estate in estates_for(user):
        hazards = estate_hazards(user, estate)
        out.append({"estate": estate, "code": estate.code or f"#{estate.pk}",
                    "open": hazards.count(), "overdue": hazards.filter(overdue_q(today)).count(),
                    "unreached": len(estate_unreached(user, estate))})
    return out


def messages_for(user) -> QuerySet:
    """The outbox's messages to the account or to its organisation, newest first."""
    if not user.is_authenticated:
        return Message.objects.none()
    q = Q(to_account=user)
    if user.organisation_id:
        q |= Q(to_organisation_id=user.organisation_id)
    return Message.objects.filter(q).order_by("-created_at", "-id")


# --- The report --------------------------------------------------------------------------------


def high_rise_category() -> Category | None:
    return Category.objects.filter(code=HIGH_RISE, is_active=True).first()


@transaction.atomic
def high_rise_report(*, actor, jurisdiction: Jurisdiction | None, building: str, room: str,
                     floor: int | None = None, description: str = "",
                     photos: list[bytes] | None = None,
                     client_id: uuid.UUID | None = None) -> Hazard:
    """Report LPG used in a high-rise building of one's estates: a hazard of the category
    `high_rise_lpg` at the flat (building, room, floor), graded and given its deadline by the
    catalogue, the occupant responsible. Refusals name the field: `jurisdiction` (missing),
    `building`, `room` (an open report of the same flat exists), `floor`, `description`,
    `category` (the catalogue lacks it), `photos`. An estate out of the account's area raises
    Jurisdiction.DoesNotExist (a 404 or a 400 naming the field for the caller). The same
    `client_id` again answers the first hazard."""
    require(actor, "hazards.high_rise",
            _("Only a property manager reports LPG used in a high-rise building here."))
    photos = photos or []
    previous = replay(Hazard.objects, client_id, conflict=services.TransitionConflict,
                      same=lambda h: h.category.code == HIGH_RISE and same_as(
                          found_by_id=actor.pk, jurisdiction_id=getattr(jurisdiction, "pk", None),
                          premises=f"{(building or '').strip()} {(room or '').strip()}")(h))
    if previous is not None:
        return previous
    errors: dict[str, str] = {}
    if jurisdiction is None:
        errors["jurisdiction"] = _("Choose the estate.")
    elif not Jurisdiction.objects.visible_to(actor).filter(pk=jurisdiction.pk).exists():
        raise Jurisdiction.DoesNotExist
    building, room = (building or "").strip(), (room or "").strip()
    description = (description or "").strip()
    if not building:
        errors["building"] = _("Say which building.")
    elif len(building) > 60:
        errors["building"] = _("At most 60 characters.")
    if not room:
        errors["room"] = _("Say which flat (unit and room).")
    elif len(room) > 60:
        errors["room"] = _("At most 60 characters.")
    if floor is not None and not 1 <= floor <= 200:
        errors["floor"] = _("A floor from 1 to 200.")
    if len(description) > 400:
        errors["description"] = _("At most 400 characters.")
    category = high_rise_category()
    if category is None:
        errors["category"] = _("The catalogue has no category for LPG in a high-rise "
                               "building: ask an administrator.")
    premises = f"{building} {room}"
    if not errors and Hazard.objects.filter(
            jurisdiction=jurisdiction, category=category, premises=premises).exclude(
            state__in=list(DONE)).exists():
        errors["room"] = _("This flat was already reported and is not closed yet.")
    if errors:
        raise ValidationError(errors)
    services._check_photos(photos)
    now = timezone.now()
    text = description or category.name
    if floor is not None:
        text = f"{floor}层：{text}"
    grade = category.default_grade
    hazard = Hazard.objects.create(
        premises=premises, jurisdiction=jurisdiction, jpath=jurisdiction.path,
        category=category, grade=grade, source=Source.PUBLIC, description=text[:500],
        found_by=actor, found_at=now, responsible=Responsible.CUSTOMER,
        deadline=services.deadline_for(grade, timezone.localtime(now).date()),
        client_id=client_id)
    event = HazardEvent.objects.create(hazard=hazard, kind=EventKind.CREATED,
                                       to_state=State.OPEN, at=now, by=actor)
    services._save_photos(event, photos)
    audit.record_create(actor=actor, instance=hazard)
    return hazard


def days_late(hazard: Hazard, today: datetime.date) -> int:
    return ((today - hazard.deadline).days
            if hazard.state in services.ESCALATING and hazard.deadline < today else 0)
