"""Issue 16 item 8: a courier verified and closed a hazard and marked its own finding
unfixable. Verifying, rejecting and closing take a role that checks work (never a courier)
and someone other than the finder and the fixer; "not fixable" takes an inspector, a gas
company's administrator or a supervisor, never the finder."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ranan.hazards import services
from ranan.hazards.choices import State
from ranan.hazards.models import Hazard
from tests.hazards.conftest import move


@pytest.fixture
def lpg_hazard(homes):
    """A hazard of the LPG household of village A1, found and fixed by the station manager:
    the courier of the village is neither the finder nor the fixer."""
    hazard = services.hazard_create(actor=homes.station_manager, customer=homes.lpg_home,
                                    category="hose", description="软管老化", source="delivery")
    move(homes.station_manager, hazard, State.RECTIFYING)
    move(homes.station_manager, hazard, State.FIXED)
    return hazard


def state(hazard) -> str:
    return Hazard.objects.get(pk=hazard.pk).state


def test_a_courier_neither_verifies_nor_closes(homes, lpg_hazard, api):
    with pytest.raises(PermissionDenied):
        move(homes.courier_a1, lpg_hazard, State.VERIFIED)
    with pytest.raises(PermissionDenied):
        move(homes.courier_a1, lpg_hazard, State.REJECTED)
    response = api.as_(homes.courier_a1).post(
        f"/api/v1/hazards/{lpg_hazard.pk}/transitions", {"to": "verified"}, format="json")
    assert response.status_code == 403
    assert state(lpg_hazard) == State.FIXED
    move(homes.lpg_admin, lpg_hazard, State.VERIFIED)  # someone who checks work
    with pytest.raises(PermissionDenied):
        move(homes.courier_a1, lpg_hazard, State.CLOSED)
    response = api.post(f"/api/v1/hazards/{lpg_hazard.pk}/transitions", {"to": "closed"},
                        format="json")
    assert response.status_code == 403
    assert state(lpg_hazard) == State.VERIFIED
    assert move(homes.lpg_admin, lpg_hazard, State.CLOSED).state == State.CLOSED


def test_the_courier_is_offered_no_verify_or_close_form(homes, lpg_hazard, client):
    client.force_login(homes.courier_a1)
    page = client.get(reverse("hazard-detail", args=[lpg_hazard.pk]))
    assert page.status_code == 200
    assert "verify" not in page.context["forms"]
    response = client.post(reverse("hazard-detail", args=[lpg_hazard.pk]),
                           {"to": "verified", "verify-to": "verified", "verify-note": "ok",
                            "verify-client_id": str(uuid.uuid4())})
    assert response.status_code == 403
    assert state(lpg_hazard) == State.FIXED


def test_the_finder_does_not_verify_or_close_its_own_finding(homes, lpg_hazard):
    # The station manager found and fixed it; the enterprise admin verifies; the finder
    # cannot close it either.
    with pytest.raises(ValidationError) as error:
        move(homes.station_manager, lpg_hazard, State.VERIFIED)
    assert "actor" in error.value.message_dict
    move(homes.lpg_admin, lpg_hazard, State.VERIFIED)
    with pytest.raises(ValidationError) as error:
        move(homes.station_manager, lpg_hazard, State.CLOSED)
    assert "actor" in error.value.message_dict
    assert state(lpg_hazard) == State.VERIFIED


def test_a_courier_cannot_mark_its_own_finding_unfixable(homes, api):
    hazard = services.hazard_create(actor=homes.courier_a1, customer=homes.lpg_home,
                                    category="hose", description="软管老化", source="delivery")
    with pytest.raises(PermissionDenied):
        move(homes.courier_a1, hazard, State.UNFIXABLE)
    response = api.as_(homes.courier_a1).post(
        f"/api/v1/hazards/{hazard.pk}/transitions", {"to": "unfixable", "note": "无法整改"},
        format="json")
    assert response.status_code == 403
    assert state(hazard) == State.OPEN
    # The station's enterprise administrator, someone else with the role, may.
    assert move(homes.lpg_admin, hazard, State.UNFIXABLE).state == State.UNFIXABLE


def test_an_inspector_cannot_mark_its_own_finding_unfixable(homes):
    hazard = services.hazard_create(actor=homes.inspector, customer=homes.homes[0],
                                    category="hose", description="软管老化", source="inspection")
    with pytest.raises(ValidationError) as error:
        move(homes.inspector, hazard, State.UNFIXABLE)
    assert "actor" in error.value.message_dict
    assert state(hazard) == State.OPEN
    assert move(homes.gas_admin, hazard, State.UNFIXABLE).state == State.UNFIXABLE
