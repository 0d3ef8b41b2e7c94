from django.urls import include, path

from ranan.urls import urlpatterns as ranan_urlpatterns
from tests.plugin_app import views

# The project's URLs plus the app's one include.
urlpatterns = [path("plugin/", include([path("", views.home, name="plugin-home")])),
               *ranan_urlpatterns]
