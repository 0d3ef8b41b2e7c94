"""Inspection pages (the API is in api_urls.py)."""

from django.urls import path

from ranan.inspections import views, views_catalogue, views_supply

urlpatterns = [
    path("", views.home, name="inspection-home"),
    path("visit/<int:customer_pk>/", views.visit_form, name="inspection-visit-form"),
    path("visits/<int:pk>/", views.visit_detail, name="inspection-visit"),
    path("visits/<int:pk>/signature", views.signature, name="inspection-signature"),
    path("photos/<int:pk>", views.photo, name="inspection-photo"),
    path("unreached/", views.unreached, name="inspection-unreached"),
    path("supply/<int:customer_pk>/", views_supply.supply, name="inspection-supply"),
    path("measures/<int:pk>/photo", views_supply.measure_photo_view,
         name="inspection-measure-photo"),
    path("referrals/", views_supply.referral_list, name="referral-list"),
    path("referrals/<int:pk>/", views_supply.referral_detail, name="referral-detail"),
    path("plans/", views.plans, name="inspection-plans"),
    path("plans/<int:pk>/", views.plan_detail, name="inspection-plan"),
    path("checklists/", views_catalogue.checklists, name="inspection-checklists"),
    path("checklists/<int:pk>/edit/", views_catalogue.checklist_edit,
         name="inspection-checklist-edit"),
]
