from django.urls import include, path

from ranan.urls import urlpatterns as ranan_urlpatterns

# The project's URLs plus the new app's one include.
urlpatterns = [path("", include("tests.plugin_app.urls")), *ranan_urlpatterns]
