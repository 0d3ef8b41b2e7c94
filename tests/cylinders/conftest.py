import datetime

import pytest
from django.utils import timezone

from ranan.core import services as core_services
from ranan.core.choices import OrgKind, Role
from ranan.cylinders import services
from tests.cast import With
from tests.factories import CylinderTypeFactory, HouseholdFactory


@pytest.fixture
def fleet(cast):
    return build_fleet(cast)


def build_fleet(cast):
    """A 15 kg type with the default rules; cylinders of the cast's station in several
    conditions; an LPG customer of that station."""
    today = timezone.localdate()
    type15 = CylinderTypeFactory()

    def register(years_old, inspected_years_ago=None, **kw):
        made = today - datetime.timedelta(days=int(365.25 * years_old))
        inspected = (today - datetime.timedelta(days=int(365.25 * inspected_years_ago))
                     if inspected_years_ago is not None else None)
        return services.cylinder_register(actor=cast.station_manager, station=cast.station,
                                          type=type15, made_on=made,
                                          last_inspected_on=inspected, **kw)

    return With(cast, type15=type15, good=register(2),
                overdue=register(6, inspected_years_ago=4.5),
                scrap=register(9, inspected_years_ago=1),
                customer=HouseholdFactory(name="卓玛", address="一村8号",
                                          jurisdiction=cast.village_a1, lpg_station=cast.station,
                                          phone="13800008888"))


def other_station(cast):
    """A second LPG station (district B) with its own company and manager."""
    company = core_services.organisation_create(
        actor=None, name="乙燃气公司", kind=OrgKind.LPG_COMPANY, jurisdictions=[cast.district_b])
    station = core_services.organisation_create(
        actor=None, name="乙液化气站", kind=OrgKind.LPG_STATION, parent=company,
        jurisdictions=[cast.district_b])
    manager = core_services.account_create(
        actor=None, username="manager_b", password="x", organisation=station,
        roles=[Role.STATION_MANAGER], area=[cast.district_b], full_name="乙站长",
        check_password=False)
    return station, manager
