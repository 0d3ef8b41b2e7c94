from django.urls import path

from ranan.customers import views

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("new/", views.customer_create, name="customer-create"),
    path("export/", views.customer_export, name="customer-export"),
    path("import/", views.customer_import, name="customer-import"),
    path("import/template/", views.customer_template, name="customer-template"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/unmask/", views.customer_unmask, name="customer-unmask"),
    path("<int:pk>/devices/<int:device_pk>/remove/", views.device_remove, name="device-remove"),
]
