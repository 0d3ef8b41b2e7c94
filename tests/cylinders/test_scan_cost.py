"""What a scan costs the database (the interlock's speed goal: bench/scan_throughput.py), and
the retry rules that replaced the look-up of the client_id before every scan."""

import uuid

import pytest
from knox.models import get_token_model

from ranan.cylinders import services
from ranan.cylinders.models import Cylinder, CylinderEvent, Scan


def token_client(api, account):
    _row, token = get_token_model().objects.create(account)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def post(client, **body):
    body.setdefault("client_id", str(uuid.uuid4()))
    response = client.post("/api/v1/cylinders/scan", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_fill_reads_three_rows_and_writes_three(fleet, api, django_assert_max_num_queries):
    # the token with its account, organisation and roles; the cylinder; the state, the
    # event, the scan; BEGIN and COMMIT
    client = token_client(api, fleet.station_manager)
    with django_assert_max_num_queries(7):
        answer = post(client, code=fleet.good.code, action="fill", net_weight_kg="14.9")
    assert answer["verdict"] == "allow" and answer["cylinder"]["state"] == "full"
    assert answer["cylinder"]["type"] == fleet.type15.name
    assert answer["cylinder"]["station"] == fleet.station.name


def test_a_collect_does_not_load_the_customer_or_courier(fleet, api,
                                                         django_assert_max_num_queries):
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="fill",
                           client_id=uuid.uuid4())
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="dispatch",
                           courier=fleet.courier_a1, client_id=uuid.uuid4())
    services.cylinder_scan(actor=fleet.courier_a1, code=fleet.good.code, action="deliver",
                           customer=fleet.customer, client_id=uuid.uuid4())
    client = token_client(api, fleet.courier_a1)
    with django_assert_max_num_queries(7):
        answer = post(client, code=fleet.good.code, action="collect")
    assert answer["verdict"] == "allow"
    collected = CylinderEvent.objects.get(cylinder=fleet.good, kind="collected")
    assert collected.customer == fleet.customer and collected.courier is None
    cylinder = Cylinder.objects.get(pk=fleet.good.pk)
    assert (cylinder.state, cylinder.customer, cylinder.courier) == ("empty", None, None)


def test_a_retry_after_the_cylinder_moved_on_answers_the_first_verdict(fleet):
    first_id = uuid.uuid4()
    first = services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code,
                                   action="fill", client_id=first_id)
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="dispatch",
                           courier=fleet.courier_a1, client_id=uuid.uuid4())
    again = services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code,
                                   action="fill", client_id=first_id)
    assert again == first and first["verdict"] == "allow"
    assert Cylinder.objects.get(pk=fleet.good.pk).state == "with_courier"
    assert Scan.objects.count() == 2
    assert CylinderEvent.objects.filter(cylinder=fleet.good, kind="filled").count() == 1


def test_the_same_client_id_from_another_account_is_a_conflict(fleet):
    client_id = uuid.uuid4()
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="collect",
                           client_id=client_id)
    with pytest.raises(services.ScanConflict):
        services.cylinder_scan(actor=fleet.courier_a1, code=fleet.good.code, action="collect",
                               client_id=client_id)
    assert Scan.objects.count() == 1
