"""A household's gas supply (shut off, sealed, referred, restored: the measures and the forms
that record them) and the referrals for enforcement answered by their department."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ranan.core.permissions import can, requires
from ranan.customers.models import Customer
from ranan.inspections import referrals, selectors, services
from ranan.inspections.choices import (
    REFERRAL_COLOURS,
    MeasureKind,
    ReferralOutcome,
    ReferralState,
    ReferralStep,
)
from ranan.inspections.models import Measure, Referral
from ranan.inspections.views import measure_photo
from ranan.lib import images

REFERRAL_PAGE = 50


def _int(value) -> int | None:
    return int(value) if (value or "").isdigit() else None


@requires("inspections.read")
def supply(request, customer_pk: int):
    """The household's supply: its status and since when, why (the measure that stopped
    it), the history of measures, and the forms: shut off, seal, refer, restore."""
    user = request.user
    customer = get_object_or_404(Customer.objects.visible_to(user).select_related(
        "jurisdiction"), pk=customer_pk)
    errors: dict[str, list[str]] = {}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action == "void":
        errors = _void(request, customer)
        if not errors:
            messages.success(request, _("The measure is voided."))
            return redirect("inspection-supply", customer.pk)
    elif request.method == "POST":
        if action not in MeasureKind.values:
            errors["action"] = [_("Unknown measure.")]
        else:
            organisation = None
            if action == MeasureKind.ENFORCEMENT:
                organisation = services.referral_departments(customer).filter(
                    pk=_int(request.POST.get("organisation"))).first()
            visit = None
            if action == MeasureKind.RESTORED:
                visit = selectors.restore_visits(customer).filter(
                    pk=_int(request.POST.get("visit"))).first()
            try:
                services.measure_record(actor=user, customer=customer, kind=action,
                                        organisation=organisation, visit=visit,
                                        note=request.POST.get("note", "")[:500],
                                        photo=measure_photo(request))
            except ValidationError as exc:
                errors = exc.message_dict
            except Customer.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("%(measure)s recorded for %(name)s.") % {
                    "measure": MeasureKind(action).label, "name": customer.name})
                return redirect("inspection-supply", customer.pk)
    measures = list(selectors.supply_measures(user, customer)[:50])
    stopped = next((m for m in measures if m.kind in (MeasureKind.SHUT_OFF, MeasureKind.SEALED)
                    and m.voided_at is None), None)
    now = timezone.now()
    for measure in measures:
        measure.can_void = services.can_void(user, measure, now)
    return render(request, "inspections/supply.html", {
        "customer": customer, "measures": measures, "stopped": stopped, "errors": errors,
        "action": action, "posted": request.POST,
        "shut": customer.status == "shut_off",
        "can_measure": can(user, "inspections.measure"),
        "can_restore": can(user, "inspections.restore"),
        "departments": list(services.referral_departments(customer)),
        "restore_visits": list(selectors.restore_visits(customer)[:10]),
        "kinds": MeasureKind, "void_minutes": services.void_minutes()},
        status=400 if errors else 200)


def _void(request, customer) -> dict[str, list[str]]:
    """Void the posted measure of this household (`measure`, `reason`): its errors, or {}."""
    user = request.user
    measure = get_object_or_404(Measure.objects.visible_to(user).filter(customer=customer),
                                pk=_int(request.POST.get("measure")) or 0)
    try:
        services.measure_void(actor=user, measure=measure,
                              reason=request.POST.get("reason", "")[:600])
    except ValidationError as exc:
        return exc.message_dict
    except PermissionDenied as exc:
        return {"measure": [str(exc)]}
    except Measure.DoesNotExist:
        raise Http404 from None
    return {}


@require_GET
@requires("inspections.read")
def measure_photo_view(request, pk: int):
    """The photo of a measure's sealed valve, to accounts that see the measure."""
    measure = get_object_or_404(Measure.objects.visible_to(request.user), pk=pk)
    if not measure.photo:
        raise Http404
    return images.image_response(measure.photo)


@requires("inspections.referrals")
def referral_list(request):
    user = request.user
    state = request.GET.get("state", "")
    mine = request.GET.get("mine") == "1"
    rows = selectors.referrals(user)
    if state in ReferralState.values:
        rows = rows.filter(state=state)
    if mine:
        rows = rows.filter(organisation=user.organisation_id)
    page = Paginator(rows, REFERRAL_PAGE).get_page(request.GET.get("page"))
    return render(request, "inspections/referral_list.html", {
        "page": page, "rows": page.object_list, "state": state, "mine": mine,
        "states": ReferralState.choices, "colours": REFERRAL_COLOURS,
        "answers": can(user, "inspections.referral")})


@requires("inspections.referrals")
def referral_detail(request, pk: int):
    user = request.user
    referral = get_object_or_404(selectors.referrals(user), pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                referrals.referral_accept(actor=user, referral=referral)
            elif action == "close":
                referrals.referral_close(actor=user, referral=referral,
                                         outcome=request.POST.get("outcome", ""),
                                         note=request.POST.get("outcome_note", "")[:600])
            else:
                raise ValidationError({"action": _("Unknown action.")})
        except ValidationError as exc:
            errors = exc.message_dict
        except PermissionDenied as exc:
            errors = {"state": [str(exc)]}
        except Referral.DoesNotExist:
            raise Http404 from None
        else:
            messages.success(request, _("Referral updated."))
            return redirect("referral-detail", referral.pk)
    answers = (can(user, "inspections.referral")
               and user.organisation_id == referral.organisation_id)
    return render(request, "inspections/referral_detail.html", {
        "r": referral, "errors": errors, "posted": request.POST, "answers": answers,
        "outcomes": ReferralOutcome.choices, "colours": REFERRAL_COLOURS,
        "steps": ReferralStep, "states": ReferralState}, status=400 if errors else 200)
