"""Issue 16, item 12: a visit recorded through the API leaves audit rows that carry the
client's address, though the visit service is never handed the request."""

from ranan.core.models import AuditEntry
from tests.inspections.test_api import body


def test_a_visit_through_the_api_leaves_rows_with_the_address(homes, api):
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    created = api.as_(homes.inspector).post("/api/v1/visits/", body(homes.homes[0]),
                                            format="json", REMOTE_ADDR="192.0.2.44")
    assert created.status_code == 201, created.json()
    rows = AuditEntry.objects.filter(id__gt=before)
    assert rows.filter(model="inspections.visit").exists()
    assert set(rows.values_list("ip_address", flat=True)) == {"192.0.2.44"}
