from django.urls import path

from ranan.hazards import views_catalogue

urlpatterns = [path("", views_catalogue.catalogue, name="hazard-catalogue")]
