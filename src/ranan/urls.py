from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from ranan.core.admin_site import restrict_admin_to_superusers
from ranan.cylinders.public import public_page

restrict_admin_to_superusers(admin.site)

urlpatterns = [
    path("", include("ranan.core.urls")),
    path("api/v1/", include("ranan.core.api_urls")),
    path("api/v1/", include("ranan.customers.api_urls")),
    path("api/v1/", include("ranan.cylinders.api_urls")),
    path("api/v1/", include("ranan.inspections.api_urls")),
    path("api/v1/", include("ranan.hazards.api_urls")),
    path("api/v1/", include("ranan.delivery.api_urls")),
    path("api/v1/", include("ranan.reports.api_urls")),
    path("customers/", include("ranan.customers.urls")),
    path("cylinders/", include("ranan.cylinders.urls")),
    path("inspections/", include("ranan.inspections.urls")),
    path("hazards/", include("ranan.hazards.urls")),
    path("delivery/", include("ranan.delivery.urls")),
    path("dashboard/", include("ranan.reports.urls")),
    # /c/<code>/ too: a QR reader or a person typing the address may add the slash.
    path("c/<str:code>", public_page, name="cylinder-public"),
    path("c/<str:code>/", public_page),
    path("C/<str:code>", public_page),
    path("C/<str:code>/", public_page),
    # Browsers ask for /favicon.ico on pages without an icon link (the API docs, errors).
    path("favicon.ico", RedirectView.as_view(url=staticfiles_storage.url("ranan/favicon.ico"),
                                             permanent=True)),
    path("hazard-catalogue/", include("ranan.hazards.urls_catalogue")),
    # The API's description and its documentation page: signed-in accounts only (it maps the
    # whole attack surface). The split view loads its set-up script from a URL, not inline,
    # as the Content-Security-Policy requires.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
         name="api-schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
    path("django-admin/", admin.site.urls),
]

handler404 = "ranan.core.errors.page_not_found"
handler403 = "ranan.core.errors.permission_denied"
