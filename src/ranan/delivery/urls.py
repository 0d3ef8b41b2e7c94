"""Delivery pages (the API is in api_urls.py)."""

from django.urls import path

from ranan.delivery import views

urlpatterns = [
    path("", views.home, name="delivery-home"),
    path("orders/new/", views.order_new, name="delivery-order-new"),
    path("orders/<int:pk>/", views.order_detail, name="delivery-order"),
    path("orders/<int:pk>/deliver/", views.deliver, name="delivery-deliver"),
    path("orders/<int:pk>/fail/", views.fail, name="delivery-fail"),
    path("orders/<int:pk>/assign/", views.assign, name="delivery-assign"),
    path("station/", views.station, name="delivery-station"),
    path("rounds/", views.rounds, name="delivery-rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="delivery-round"),
    path("rounds/<int:pk>/plan/", views.plan, name="delivery-plan"),
    path("report/", views.report, name="delivery-report"),
]
