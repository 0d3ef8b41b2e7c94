from ranan.core.api_base import Router
from ranan.customers import api

router = Router()
router.register("customers", api.CustomerViewSet, basename="api-customer")
urlpatterns = router.urls
