from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ranan.core.admin_site import restrict_admin_to_superusers
from ranan.cylinders import views as cylinder_views

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
    path("c/<str:code>", cylinder_views.public_page, name="cylinder-public"),
    path("C/<str:code>", cylinder_views.public_page),
    path("hazard-catalogue/", include("ranan.hazards.urls_catalogue")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

handler404 = "ranan.core.errors.page_not_found"
handler403 = "ranan.core.errors.permission_denied"
