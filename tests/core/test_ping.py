"""GET /api/v1/ping: the health check answers without a login and without the database."""


def test_ping_answers_without_login_or_database(client):
    # No `db` fixture: any database access in the request would raise here.
    response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_ping_refuses_writes(client):
    assert client.post("/api/v1/ping").status_code == 405
