"""The hazards' demo data with a property manager (物业, issue 14 item 7): a property
management company of 翠东社区 managing two of its grids (its estates) and one account, made
before the hazards so that the escalation run at the end of the hazards' demo tells it; then
one report of LPG used in a high-rise building, by that account."""

from __future__ import annotations

from ranan.core import services as core_services
from ranan.core.choices import OrgKind
from ranan.core.demo import DEMO_PASSWORD, DemoAccount
from ranan.hazards import demo, property

USERNAME = "cuidong_pm"


def extend(world: dict) -> None:
    estates = world["grids"][:2]
    company = core_services.organisation_create(
        actor=None, name="宁波翠东物业服务有限公司", kind=OrgKind.PROPERTY_MANAGER,
        jurisdictions=estates)
    manager = core_services.account_create(
        actor=None, username=USERNAME, password=DEMO_PASSWORD, organisation=company,
        roles=[property.PROPERTY_MANAGER], area=estates, full_name="翠东物业·陈经理",
        phone="13700000009", check_password=False)
    world["accounts"].append(DemoAccount(USERNAME, property.PROPERTY_MANAGER, company.name,
                                         [n.name for n in estates], manager.full_name))
    world["property_manager"] = manager
    demo.extend(world)
    if property.high_rise_category() is not None:
        property.high_rise_report(
            actor=manager, jurisdiction=estates[0], building="7号楼", room="1单元1802",
            floor=18, description="住户在厨房使用两只15公斤液化气钢瓶，楼道内另存放一只。")
