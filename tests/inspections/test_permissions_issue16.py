"""Issue 16 item 8: a station manager superseded (corrected) a courier's submitted visit
without anyone's approval. A submitted visit is the record of what its author saw: only its
author corrects it, within the correction window (RANAN_VISIT_CORRECTION_DAYS, 7 days)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from ranan.inspections.choices import Outcome
from ranan.inspections.models import Visit
from tests.inspections.conftest import visit


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def test_a_station_manager_cannot_supersede_a_couriers_visit(homes, api, client):
    original = visit(homes.courier_a1, homes.lpg_home, Outcome.NOT_HOME)
    with pytest.raises(ValidationError) as error:
        visit(homes.station_manager, homes.lpg_home, Outcome.REFUSED, corrects=original)
    assert "corrects" in error.value.message_dict
    response = api.as_(homes.station_manager).post("/api/v1/visits/", {
        "customer": homes.lpg_home.pk, "kind": "periodic", "outcome": "refused",
        "client_id": str(uuid.uuid4()), "corrects": original.pk}, format="json")
    assert response.status_code == 400 and "corrects" in fields(response)
    client.force_login(homes.station_manager)
    form = client.get(f"/inspections/visit/{homes.lpg_home.pk}/?corrects={original.pk}")
    assert form.status_code == 403
    detail = client.get(f"/inspections/visits/{original.pk}/")
    assert detail.status_code == 200
    assert 'data-testid="correct"' not in detail.content.decode()
    assert not Visit.objects.filter(corrects=original).exists()


def test_the_author_corrects_its_own_visit_within_the_window(homes, clock):
    original = visit(homes.courier_a1, homes.lpg_home, Outcome.NOT_HOME)
    fixed = visit(homes.courier_a1, homes.lpg_home, Outcome.REFUSED, corrects=original)
    assert fixed.corrects_id == original.pk
    late = visit(homes.courier_a1, homes.lpg_home, Outcome.NOT_HOME)
    clock.shift(datetime.timedelta(days=8))
    with pytest.raises(ValidationError) as error:
        visit(homes.courier_a1, homes.lpg_home, Outcome.REFUSED, corrects=late)
    assert "corrects" in error.value.message_dict
