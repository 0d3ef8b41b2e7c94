"""Token authentication reads one row per request (the scan interlock's budget); expired
tokens are still refused and cleared."""

from datetime import timedelta

from django.utils import timezone
from knox.models import get_token_model

from ranan.core.api_auth import ExpiringTokenAuthentication
from tests.cast import PASSWORD


def test_a_token_costs_one_query_with_the_account_its_organisation_and_roles(
        cast, django_assert_num_queries):
    from ranan.core.models import AccountRole

    AccountRole.objects.create(account=cast.station_manager, role="courier")
    _row, token = get_token_model().objects.create(cast.station_manager)
    with django_assert_num_queries(1):
        user, auth = ExpiringTokenAuthentication().authenticate_credentials(token.encode())
        assert user == cast.station_manager and user.organisation == cast.station
        assert user.roles == {"station_manager", "courier"}
    assert auth.user_id == cast.station_manager.pk


def test_an_account_without_roles_authenticates_with_none(cast):
    from ranan.core.models import AccountRole

    AccountRole.objects.filter(account=cast.courier_a1).delete()
    _row, token = get_token_model().objects.create(cast.courier_a1)
    user, _auth = ExpiringTokenAuthentication().authenticate_credentials(token.encode())
    assert user == cast.courier_a1 and user.roles == frozenset()


def test_a_deactivated_accounts_token_is_refused(cast, api):
    _row, token = get_token_model().objects.create(cast.courier_a1)
    cast.courier_a1.is_active = False
    cast.courier_a1.save(update_fields=["is_active"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "invalid_token"


def test_login_clears_the_accounts_expired_tokens_and_keeps_the_others(cast, api):
    Token = get_token_model()
    old, _ = Token.objects.create(cast.courier_a1)
    Token.objects.filter(pk=old.pk).update(expiry=timezone.now() - timedelta(hours=1))
    other_device, _ = Token.objects.create(cast.courier_a1)
    someone_else, _ = Token.objects.create(cast.station_manager)
    Token.objects.filter(pk=someone_else.pk).update(expiry=timezone.now() - timedelta(hours=1))
    response = api.post("/api/v1/auth/token", {"username": "courier_a1", "password": PASSWORD},
                        format="json")
    assert response.status_code == 200
    left = set(Token.objects.values_list("pk", flat=True))
    assert old.pk not in left and other_device.pk in left and someone_else.pk in left
    assert Token.objects.filter(user=cast.courier_a1).count() == 2
