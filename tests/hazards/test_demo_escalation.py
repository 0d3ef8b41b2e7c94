"""The demo's ladder as time would have built it (issue 15 item 10): a hazard 15 days late
climbed one step on each of days 1, 3, 7 and 15 past its deadline, at the job's hour, not
four steps in the minute the demo was loaded."""

import datetime

from django.utils import timezone

from ranan.hazards import demo, services
from ranan.hazards.choices import EventKind
from ranan.hazards.models import Hazard, HazardEvent
from tests.hazards.conftest import days


def steps_of(hazard):
    return {e.step: timezone.localtime(e.at) for e in
            HazardEvent.objects.filter(hazard=hazard, kind=EventKind.ESCALATION)}


def test_each_step_is_recorded_on_its_own_day(hazard):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(-15))
    demo.escalate_as_days_went(timezone.localdate())
    steps = steps_of(h)
    assert sorted(steps) == [1, 2, 3, 4]
    for step, late in services.ESCALATION_DAYS.items():
        assert steps[step].date() == days(-15) + datetime.timedelta(days=late)
    # Today's run cannot be recorded later than now (the clock reads 10:00; the job's hour 06:00).
    assert max(steps.values()) <= timezone.localtime()
    assert len({at.date() for at in steps.values()}) == 4


def test_replaying_is_idempotent_and_a_hazard_in_time_is_left_alone(hazard):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(-3))
    demo.escalate_as_days_went(timezone.localdate())
    demo.escalate_as_days_went(timezone.localdate())
    assert sorted(steps_of(h)) == [1, 2]
    h.refresh_from_db()
    assert h.escalation == 2
    Hazard.objects.filter(pk=h.pk).update(deadline=days(5), escalation=0)
    assert services.escalate(timezone.localdate()) == {1: 0, 2: 0, 3: 0, 4: 0}


def test_the_ladder_job_records_its_own_time_unless_told(hazard):
    h = hazard.hazard
    Hazard.objects.filter(pk=h.pk).update(deadline=days(-1))
    services.escalate()
    (event,) = HazardEvent.objects.filter(hazard=h, kind=EventKind.ESCALATION)
    assert abs(event.at - timezone.now()) < datetime.timedelta(minutes=1)


def test_no_late_hazard_no_run(db):
    demo.escalate_as_days_went(timezone.localdate())
    assert not HazardEvent.objects.exists()
