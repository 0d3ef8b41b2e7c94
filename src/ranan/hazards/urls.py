"""Hazard pages (the API is in api_urls.py)."""

from django.urls import path

from ranan.hazards import views

urlpatterns = [
    path("", views.hazard_list, name="hazard-list"),
    path("new/", views.hazard_create, name="hazard-create"),
    path("supervision/", views.supervision, name="hazard-supervision"),
    path("summary/", views.summary, name="hazard-summary"),
    path("photos/<int:pk>", views.photo, name="hazard-photo"),
    path("<int:pk>/", views.hazard_detail, name="hazard-detail"),
    path("<int:pk>/notice.pdf", views.notice, name="hazard-notice"),
]
