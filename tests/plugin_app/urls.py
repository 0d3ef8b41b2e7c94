"""The app's routes, pages and API alike: the project includes this file once."""

from django.urls import path

from tests.plugin_app import views

urlpatterns = [
    path("plugin/", views.home, name="plugin-home"),
    path("api/v1/plugin/", views.PluginApi.as_view(), name="api-plugin"),
]
