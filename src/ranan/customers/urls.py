from django.urls import path

from ranan.customers import views, views_full_export

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("new/", views.customer_create, name="customer-create"),
    path("export/", views.customer_export, name="customer-export"),
    path("import/", views.customer_import, name="customer-import"),
    path("import/template/", views.customer_template, name="customer-template"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/unmask/", views.customer_unmask, name="customer-unmask"),
    path("full-exports/", views_full_export.export_requests, name="personal-export-list"),
    path("full-exports/<int:pk>/decide/", views_full_export.export_decide,
         name="personal-export-decide"),
    path("full-exports/<int:pk>/download/", views_full_export.export_download,
         name="personal-export-download"),
    path("<int:pk>/devices/<int:device_pk>/remove/", views.device_remove, name="device-remove"),
]
