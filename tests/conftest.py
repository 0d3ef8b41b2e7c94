import pytest
from django.utils import translation
from rest_framework.test import APIClient

from tests.cast import Cast


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at Django's default cost makes every login ~0.3 s; tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_messages():
    # Assertions read service messages in English; pages still default to Chinese per request.
    with translation.override("en"):
        yield


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def api():
    """An API client; `api.as_(account)` authenticates as that account."""
    client = APIClient()

    def as_(account):
        client.force_authenticate(user=account)
        return client

    client.as_ = as_
    return client


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']} (tests use test_ prefix / memory)"
