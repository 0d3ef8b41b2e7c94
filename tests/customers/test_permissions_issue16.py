"""Issue 16 item 8: couriers could register no LPG household at all. Their area is their
villages, their station is registered for the district, so the station was not among the
organisations they see and the form and the API refused it. A station's people name their
own station (the form offers it first); enterprise staff still name no other enterprise."""

from django.urls import reverse

from ranan.core.choices import OrgKind
from ranan.core.services import organisation_create
from ranan.customers.models import Customer


def test_a_courier_registers_an_lpg_household_of_its_village(cast, api, client):
    body = {"name": "新户", "address": "一村9号", "jurisdiction": cast.village_a1.pk,
            "supply": "lpg", "lpg_station": cast.station.pk}
    response = api.as_(cast.courier_a1).post("/api/v1/customers/", body, format="json")
    assert response.status_code == 201, response.content
    assert Customer.objects.get(pk=response.json()["id"]).lpg_station_id == cast.station.pk

    client.force_login(cast.courier_a1)
    form = client.get(reverse("customer-create"))
    assert form.status_code == 200
    station_field = form.context["form"].fields["lpg_station"]
    assert list(station_field.queryset) == [cast.station]
    assert form.context["form"]["lpg_station"].value() == cast.station.pk
    page = client.post(reverse("customer-create"), {
        "kind": "residential", "name": "另一户", "address": "一村10号",
        "jurisdiction": cast.village_a1.pk, "supply": "lpg", "lpg_station": cast.station.pk,
        "status": "active"})
    assert page.status_code == 302, page.context["form"].errors if page.context else page
    assert Customer.objects.filter(name="另一户", lpg_station=cast.station).exists()


def test_a_courier_names_no_other_enterprises_station(cast, api):
    other_company = organisation_create(actor=None, name="别家燃气", kind=OrgKind.LPG_COMPANY,
                                        jurisdictions=[cast.village_a1])
    other = organisation_create(actor=None, name="别家气站", kind=OrgKind.LPG_STATION,
                                parent=other_company, jurisdictions=[cast.village_a1])
    body = {"name": "新户", "address": "一村9号", "jurisdiction": cast.village_a1.pk,
            "supply": "lpg", "lpg_station": other.pk}
    response = api.as_(cast.courier_a1).post("/api/v1/customers/", body, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"lpg_station"}
    assert not Customer.objects.filter(name="新户").exists()
