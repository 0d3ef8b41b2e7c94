"""Pages of the cylinders app (the public page /c/<code> is wired in ranan.urls)."""

from django.urls import path

from ranan.cylinders import views, views_import, views_types

urlpatterns: list = [
    path("", views.home, name="cylinder-home"),
    path("find/", views.find, name="cylinder-find"),
    path("mine/", views.mine, name="cylinder-mine"),
    path("scan/", views.scan, name="cylinder-scan"),
    path("register/", views.register, name="cylinder-register"),
    path("labels/", views.label_batches, name="cylinder-labels"),
    path("labels/<int:pk>.pdf", views.label_pdf, name="cylinder-label-pdf"),
    path("recall/", views.recall, name="cylinder-recall"),
    path("recall.xlsx", views.recall_export, name="cylinder-recall-export"),
    path("refusals/", views.refusals, name="cylinder-refusals"),
    path("fillings/", views.fillings, name="cylinder-fillings"),
    path("import/", views_import.cylinder_import, name="cylinder-import"),
    path("import/template.xlsx", views_import.cylinder_import_template,
         name="cylinder-import-template"),
    path("types/", views_types.types, name="cylinder-types"),
    path("types/new/", views_types.type_new, name="cylinder-type-new"),
    path("types/<int:pk>/", views_types.type_edit, name="cylinder-type-edit"),
    path("c/<str:code>/", views.detail, name="cylinder-detail"),
]
