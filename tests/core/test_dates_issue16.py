"""Issue 16, found by the API fuzz: a UTC offset PostgreSQL does not take (beyond ±15:59)
answered 500 from the audit log's `since`/`until`. Times from outside are taken as UTC."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from ranan.lib.dates import utc_datetime_field, utc_or_invalid


@pytest.mark.parametrize("since", ["2026-12-04T10:00:00-17:00", "2026-12-04T10:00:00+23:59",
                                   "1215-05-11T10:48:48.158149-17:00"])
def test_an_offset_postgresql_refuses_is_read_as_utc(cast, api, since):
    answer = api.as_(cast.auditor).get("/api/v1/audit/", {"since": since, "until": "2027-01-01"})
    assert answer.status_code == 200, answer.content


def test_a_time_that_does_not_exist_in_utc_names_the_field(cast, api):
    answer = api.as_(cast.auditor).get("/api/v1/audit/", {"since": "0001-01-01T00:00:00+17:00"})
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["since"]


def test_the_forms_convert_too():
    field = utc_datetime_field(required=False)
    value = field.clean("2026-12-04T10:00:00-17:00")
    assert value.utcoffset() == datetime.timedelta(0) and value.hour == 3 and value.day == 5
    with pytest.raises(ValidationError):
        field.clean("0001-01-01T00:00:00+17:00")
    assert isinstance(field, forms.DateTimeField)
    assert utc_or_invalid(None) is None
