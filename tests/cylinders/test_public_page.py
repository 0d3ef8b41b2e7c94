"""The public page of a cylinder (issue 4, item 7): no login, no personal data."""

import uuid

from ranan.cylinders import services


def test_the_public_page_needs_no_login_and_shows_the_record(fleet, client):
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="fill",
                           client_id=uuid.uuid4())
    response = client.get(f"/c/{fleet.good.code}")
    body = response.content.decode()
    assert response.status_code == 200
    assert fleet.good.code in body and "甲液化气站" in body
    assert 'data-testid="warning"' not in body
    assert body.count("<li>") == 1  # one filling


def test_it_never_shows_personal_data(fleet, client):
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="fill",
                           client_id=uuid.uuid4())
    services.cylinder_scan(actor=fleet.station_manager, code=fleet.good.code, action="dispatch",
                           courier=fleet.courier_a1, client_id=uuid.uuid4())
    services.cylinder_scan(actor=fleet.courier_a1, code=fleet.good.code, action="deliver",
                           customer=fleet.customer, client_id=uuid.uuid4())
    body = client.get(f"/c/{fleet.good.code}").content.decode()
    for secret in ("卓玛", "13800008888", "一村8号", "courier_a1", "station_manager"):
        assert secret not in body


def test_an_overdue_cylinder_shows_a_red_warning(fleet, client):
    assert 'data-testid="warning"' in client.get(f"/c/{fleet.overdue.code}").content.decode()
    assert 'data-testid="warning"' in client.get(f"/c/{fleet.scrap.code}").content.decode()


def test_an_unknown_code_is_a_404_that_says_so(db, client):
    response = client.get("/c/NOTACODE12")
    assert response.status_code == 404 and 'data-testid="unknown"' in response.content.decode()


def test_the_public_page_is_small(fleet, client):
    assert len(client.get(f"/c/{fleet.good.code}").content) < 8000  # no script, no framework
