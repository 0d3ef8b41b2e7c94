"""The named cast every test uses (STYLE.md §9): right actor, wrong role, wrong area.

World: province P → city → district A (达孜-like: township T, villages A1, A2) and
district B (宁波-like: sub-district S, community B1 with a grid), each district with its
regulator. Enterprises: LPG company + station in A; a pipeline gas company in B.
"""

from __future__ import annotations

from ranan.core import services
from ranan.core.choices import Level, OrgKind, RegulatorType, Role

PASSWORD = "cast-password-123"


class Cast:
    def __init__(self) -> None:
        node = services.jurisdiction_create
        self.province = node(actor=None, name="测试省", level=Level.PROVINCE, code="990000")
        self.city = node(actor=None, name="测试市", level=Level.CITY, parent=self.province,
                         code="990100")
        self.district_a = node(actor=None, name="甲区", level=Level.DISTRICT, parent=self.city,
                               code="990101")
        self.township = node(actor=None, name="甲乡", level=Level.TOWNSHIP,
                             parent=self.district_a, code="990101100")
        self.village_a1 = node(actor=None, name="一村", level=Level.VILLAGE, parent=self.township,
                               code="990101100201")
        self.village_a2 = node(actor=None, name="二村", level=Level.VILLAGE, parent=self.township,
                               code="990101100202")
        self.district_b = node(actor=None, name="乙区", level=Level.DISTRICT, parent=self.city,
                               code="990102")
        self.subdistrict = node(actor=None, name="乙街道", level=Level.TOWNSHIP,
                                parent=self.district_b, code="990102001")
        self.community_b1 = node(actor=None, name="乙社区", level=Level.VILLAGE,
                                 parent=self.subdistrict, code="990102001001")
        self.grid_b1 = node(actor=None, name="第一网格", level=Level.GRID, parent=self.community_b1)

        org = services.organisation_create
        self.lpg_company = org(actor=None, name="甲燃气公司", kind=OrgKind.LPG_COMPANY,
                               jurisdictions=[self.district_a])
        self.station = org(actor=None, name="甲液化气站", kind=OrgKind.LPG_STATION,
                           parent=self.lpg_company, jurisdictions=[self.district_a])
        self.gas_company = org(actor=None, name="乙管道燃气公司", kind=OrgKind.PIPELINE_GAS,
                               jurisdictions=[self.district_b])
        self.regulator_a_org = org(actor=None, name="甲区市场监管局", kind=OrgKind.REGULATOR,
                                   regulator_type=RegulatorType.MARKET_SUPERVISION,
                                   jurisdictions=[self.district_a])
        self.regulator_b_org = org(actor=None, name="乙区住建局", kind=OrgKind.REGULATOR,
                                   regulator_type=RegulatorType.HOUSING,
                                   jurisdictions=[self.district_b])
        self.platform = org(actor=None, name="平台", kind=OrgKind.TASK_FORCE,
                            jurisdictions=[self.province])

        def person(username, role, organisation, area):
            return services.account_create(
                actor=None, username=username, password=PASSWORD, organisation=organisation,
                roles=[role], area=area, full_name=username, check_password=False)

        self.station_manager = person("station_manager", Role.STATION_MANAGER, self.station,
                                      [self.district_a])
        self.courier_a1 = person("courier_a1", Role.COURIER, self.station, [self.village_a1])
        self.courier_a2 = person("courier_a2", Role.COURIER, self.station, [self.village_a2])
        self.inspector = person("inspector", Role.INSPECTOR, self.gas_company,
                                [self.community_b1])
        self.gas_admin = person("gas_admin", Role.ENTERPRISE_ADMIN, self.gas_company,
                                [self.district_b])
        self.lpg_admin = person("lpg_admin", Role.ENTERPRISE_ADMIN, self.lpg_company,
                                [self.district_a])
        self.regulator_a = person("regulator_a", Role.REGULATOR, self.regulator_a_org,
                                  [self.district_a])
        self.regulator_b = person("regulator_b", Role.REGULATOR, self.regulator_b_org,
                                  [self.district_b])
        self.auditor = person("auditor", Role.AUDITOR, self.platform, [self.province])
        self.admin = person("admin", Role.ADMIN, self.platform, [self.province])
        self.admin_a = person("admin_a", Role.ADMIN, self.regulator_a_org, [self.district_a])


class With:
    """The cast and what a fixture built on it: the fixture's own records first, then the
    cast's people and places. Fixtures return one of these instead of writing onto the
    shared cast, so a test sees where each record comes from (`people.c_a1`, `shop.villager`)
    and two fixtures cannot overwrite each other's."""

    def __init__(self, base, **records):
        self._base = base
        self.__dict__.update(records)

    def __getattr__(self, name):
        return getattr(self._base, name)
