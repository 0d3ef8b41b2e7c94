"""Pages of the cylinders app (the public page /c/<code> is wired in ranan.urls)."""

from django.urls import path

from ranan.cylinders import views  # noqa: F401

urlpatterns: list = [
    # The stock import page (issue 4 item 10) goes here.
]
