"""The escalation ladder (each step, idempotent, the messages) and the notify outbox
(backends, failures kept and retried)."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from ranan.core.models import Message
from ranan.core.notify import MAX_ATTEMPTS, deliver_pending, notify, retry
from ranan.hazards import services
from ranan.hazards.choices import State, Step
from ranan.hazards.models import Hazard, HazardEvent
from tests.hazards.conftest import days


def overdue_by(hazard, n):
    Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.localdate()
                                               - datetime.timedelta(days=n))


@pytest.mark.parametrize("late,step", [(0, Step.NONE), (1, Step.REMINDER), (2, Step.REMINDER),
                                       (3, Step.NOTICE), (7, Step.SUPERVISION),
                                       (15, Step.ENFORCEMENT), (40, Step.ENFORCEMENT)])
def test_each_step_is_reached_by_days_late_and_recorded_once(hazard, late, step):
    h = hazard.hazard
    overdue_by(h, late)
    services.escalate()
    h.refresh_from_db()
    assert h.escalation == step
    steps = list(h.events.filter(kind="escalation").values_list("step", flat=True))
    assert steps == list(range(1, step + 1))  # every step climbed is recorded
    # Idempotent: again the same day changes nothing, sends nothing new.
    messages = Message.objects.count()
    assert services.escalate() == {1: 0, 2: 0, 3: 0, 4: 0}
    assert h.events.filter(kind="escalation").count() == step
    assert Message.objects.count() == messages


def test_the_ladder_climbs_day_by_day_and_tells_the_next_level(hazard):
    h = hazard.hazard
    overdue_by(h, 1)
    services.escalate()
    assert Message.objects.filter(kind="hazard_step_1", to_organisation=hazard.gas_company
                                  ).count() == 1
    later = timezone.localdate() + datetime.timedelta(days=6)  # 7 days late
    counts = services.escalate(today=later)
    assert counts[Step.NOTICE] == 1 and counts[Step.SUPERVISION] == 1
    h.refresh_from_db()
    assert h.escalation == Step.SUPERVISION
    # Step 3 goes to the district's regulators.
    assert Message.objects.filter(kind="hazard_step_3",
                                  to_organisation=hazard.regulator_b_org).count() == 1


def test_fixed_or_closed_hazards_do_not_climb(hazard):
    h = hazard.hazard
    services.hazard_transition(actor=hazard.inspector, hazard=h, to=State.RECTIFYING)
    from tests.hazards.conftest import png

    services.hazard_transition(actor=hazard.inspector, hazard=h, to=State.FIXED, photos=[png()],
                               note="已更换")
    overdue_by(h, 20)
    services.escalate()
    assert Hazard.objects.get(pk=h.pk).escalation == Step.NONE
    assert not HazardEvent.objects.filter(kind="escalation").exists()


def test_a_deadline_in_the_future_does_not_climb(hazard):
    Hazard.objects.filter(pk=hazard.hazard.pk).update(deadline=days(3))
    assert services.escalate() == {1: 0, 2: 0, 3: 0, 4: 0}


def test_console_delivery_and_dedupe(cast):
    notify(kind="t", subject="s", body="b", to_account=cast.inspector, dedupe_key="k")
    assert notify(kind="t", subject="s", body="b", to_account=cast.inspector,
                  dedupe_key="k") is None
    assert deliver_pending() == 1
    message = Message.objects.get()
    assert message.status == "sent" and message.sent_at and message.attempts == 1
    assert deliver_pending() == 0


def test_email_delivery_and_a_failure_kept_and_retried(cast, settings):
    settings.NOTIFY_BACKEND = "email"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.inspector.email = "inspector@example.cn"
    cast.inspector.save(update_fields=["email"])
    notify(kind="t", subject="隐患提醒", body="b", to_account=cast.inspector)
    notify(kind="t", subject="no address", body="b", to_account=cast.courier_a1)
    now = timezone.now()
    assert deliver_pending(now=now) == 1
    assert [m.to for m in mail.outbox] == [["inspector@example.cn"]]
    failed = Message.objects.get(subject="no address")
    assert failed.status == "pending" and failed.attempts == 1
    assert "no e-mail address" in failed.last_error and failed.next_attempt_at > now
    assert deliver_pending(now=now) == 0  # not before its next attempt
    for n in range(MAX_ATTEMPTS):
        deliver_pending(now=now + datetime.timedelta(days=n + 1))
    failed.refresh_from_db()
    assert failed.status == "failed" and failed.attempts == MAX_ATTEMPTS
    cast.courier_a1.email = "c@example.cn"
    cast.courier_a1.save(update_fields=["email"])
    retry(failed)
    assert deliver_pending() == 1


def test_http_gateway_delivery(cast, settings):
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.NOTIFY_BACKEND = "http"
        settings.NOTIFY_HTTP_URL = f"http://127.0.0.1:{server.server_port}/sms"
        settings.NOTIFY_HTTP_TEMPLATE = '{"mobile": "{phone}", "content": "{subject}：{body}"}'
        cast.inspector.phone = "13700000001"
        cast.inspector.save(update_fields=["phone"])
        notify(kind="t", subject="隐患", body='逾期 "3" 天', to_account=cast.inspector)
        assert deliver_pending() == 1
        assert received == [{"mobile": "13700000001", "content": '隐患：逾期 "3" 天'}]
        # A resident has no account: the message to the phone number goes to the gateway.
        notify(kind="t", subject="预约", body="9:00", to_phone="13900002222")
        assert deliver_pending() == 1
        assert received[-1] == {"mobile": "13900002222", "content": "预约：9:00"}
        settings.NOTIFY_HTTP_URL = "http://127.0.0.1:9/nothing-listens"
        notify(kind="t", subject="x", body="y", to_account=cast.inspector)
        assert deliver_pending() == 0
        assert "gateway" in Message.objects.get(subject="x").last_error
    finally:
        server.shutdown()


def test_the_outbox_page_shows_failures_and_retries(cast, settings):
    from django.test import Client

    settings.NOTIFY_BACKEND = "email"
    notify(kind="t", subject="无邮箱", body="b", to_account=cast.courier_a1)
    for n in range(MAX_ATTEMPTS):
        deliver_pending(now=timezone.now() + datetime.timedelta(days=n + 1))
    failed = Message.objects.get()
    assert failed.status == "failed"
    # E-mail reaches no phone: a resident's message goes by the SMS backend (the log here).
    resident = notify(kind="t", subject="致居民", body="b", to_phone="13900002222")
    assert resident.channel == "console"
    resident.delete()
    client = Client()
    client.force_login(cast.admin)
    page = client.get("/outbox/?status=failed")
    assert page.status_code == 200 and "无邮箱" in page.content.decode()
    client.post("/outbox/?status=failed", {"retry": failed.pk})
    assert Message.objects.get().status == "pending"
    courier = Client()
    courier.force_login(cast.courier_a1)
    assert courier.get("/outbox/").status_code == 403
