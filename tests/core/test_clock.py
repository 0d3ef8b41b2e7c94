"""The suite controls the clock: a test that passes only at some hours of the day fails."""

import datetime

import pytest
from django.utils import timezone

from tests.conftest import FROZEN_AT


def test_every_test_starts_at_the_same_moment():
    now = timezone.localtime()
    assert now.date() == FROZEN_AT.date() and now.hour == FROZEN_AT.hour


def test_a_test_can_move_the_clock_to_the_evening(clock):
    clock.move_to(FROZEN_AT.replace(hour=19))
    assert timezone.localtime().hour == 19
    clock.shift(datetime.timedelta(hours=6))
    assert timezone.localdate() == FROZEN_AT.date() + datetime.timedelta(days=1)


@pytest.mark.browser
def test_a_browser_test_reads_the_real_clock_like_its_demo_server():
    real = datetime.datetime.now(datetime.UTC)
    assert abs((timezone.now() - real).total_seconds()) < 5
    assert timezone.now() - FROZEN_AT > datetime.timedelta(hours=1)


def test_the_frozen_clock_is_back_after_a_browser_test():
    assert timezone.localtime().hour == FROZEN_AT.hour
