from django.urls import path

from ranan.core import api
from ranan.core.api_base import Router

router = Router()
router.register("jurisdictions", api.JurisdictionViewSet, basename="api-jurisdiction")
router.register("organisations", api.OrganisationViewSet, basename="api-organisation")
router.register("accounts", api.AccountViewSet, basename="api-account")
router.register("audit", api.AuditEntryViewSet, basename="api-audit")

urlpatterns = [
    path("auth/token", api.TokenView.as_view(), name="api-token"),
    path("auth/logout", api.LogoutView.as_view(), name="api-logout"),
    path("me", api.MeView.as_view(), name="api-me"),
    path("ping", api.ping, name="api-ping"),
    *router.urls,
]
