import datetime
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from ranan.cylinders import services as cylinder_services
from ranan.delivery.models import Price, StationService, VillageRound
from tests.cast import With
from tests.cylinders.conftest import build_fleet
from tests.factories import HouseholdFactory
from tests.inspections.conftest import png  # noqa: F401 - shared

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shop(cast):
    return build_shop(cast)


def build_shop(cast):
    """The cast's station with a 15 kg price of 135 yuan, 08:00-18:00, village A1 served on
    Tuesdays; an LPG household of village A1 with a real-name record pending; cylinders."""
    cast = build_fleet(cast)
    Price.objects.create(station=cast.station, cylinder_type=cast.type15, price=135,
                         valid_from=datetime.date(2020, 1, 1))
    StationService.objects.create(station=cast.station, latitude=29.68, longitude=91.35)
    VillageRound.objects.create(station=cast.station, village=cast.village_a1, weekdays=[1],
                                latitude=29.70, longitude=91.40)
    return With(cast, villager=HouseholdFactory(
        name="次仁", address="一村3号", jurisdiction=cast.village_a1, lpg_station=cast.station,
        phone="13800002222"))


def at(day: datetime.date, hh: int, mm: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hh, mm), tzinfo=SHANGHAI)


def order(shop, **kw):
    from ranan.delivery import services

    kw.setdefault("buyer_name", "次仁")
    kw.setdefault("buyer_id_number", "11010519491231002X")
    return services.order_create(actor=kw.pop("actor", shop.courier_a1),
                                 customer=kw.pop("customer", shop.villager),
                                 cylinder_type=shop.type15, quantity=kw.pop("quantity", 1),
                                 channel=kw.pop("channel", "courier"),
                                 client_id=kw.pop("client_id", uuid.uuid4()), **kw)


def ready_cylinder(shop, cylinder=None):
    """A full cylinder dispatched to courier A1."""
    cylinder = cylinder or shop.good
    for action, extra in (("fill", {}), ("dispatch", {"courier": shop.courier_a1})):
        answer = cylinder_services.cylinder_scan(actor=shop.station_manager, code=cylinder.code,
                                                 action=action, client_id=uuid.uuid4(), **extra)
        assert answer["verdict"] == "allow", answer
    return cylinder


def today_local():
    return timezone.localdate()
