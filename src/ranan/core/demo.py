"""The demo world (issue 2): a province task force; a county modelled on the Dazi seed
(1 town and 5 townships, 23 villages, one LPG company with one station, 15 village couriers,
its market-supervision and housing departments); a city district modelled on the Ningbo seed
(a pipeline gas company, one community with grids, a "gas butler" inspector stationed there,
the sub-district office). Each app adds its data to this world through its `demo` (the app
contract), after the apps it names.

Division codes above township level are the real national codes; codes of townships and
villages are illustrative (12-digit shape, not the official list).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from ranan.core import services
from ranan.core.choices import Level, OrgKind, RegulatorType, Role
from ranan.core.models import Jurisdiction

DEMO_PASSWORD = "ranan-demo-2026"

# Dazi district: 德庆镇 and five townships, 23 villages in all (seed 000). 桑珠林村 is the
# village of courier 巴桑平措 in the seed.
DAZI_TOWNSHIPS = [
    ("德庆镇", "540104100", ["桑珠林村", "德庆村", "白纳村", "新仓村", "邦堆村"]),
    ("塘嘎乡", "540104200", ["塘嘎村", "吉布村", "巴嘎村", "卡木村"]),
    ("章多乡", "540104201", ["章多村", "洛布村", "仁多岗村", "色木村"]),
    ("唐嘎乡", "540104202", ["唐嘎村", "朗杰林村", "扎西岗村"]),
    ("雪乡", "540104203", ["雪村", "藏扎村", "帮堆村", "帕那村"]),
    ("邦堆乡", "540104204", ["邦堆乡村", "叶巴村", "达隆村"]),
]

# Ningbo-like district: 江北区 → 孔浦街道 → 翠东社区 with four grids (seed 001).
NINGBO_GRIDS = ["第一网格", "第二网格", "第三网格", "第四网格"]

# Where each of the 15 couriers works: 23 villages, eight couriers cover two neighbours.
COURIER_NAMES = [
    "巴桑平措", "次仁多吉", "扎西顿珠", "格桑卓玛", "白玛央金", "旦增尼玛", "拉巴次仁",
    "尼玛扎西", "普布次仁", "达瓦卓嘎", "索朗旺堆", "德吉央宗", "米玛次仁", "平措罗布", "央金拉姆",
]


@dataclass
class DemoAccount:
    username: str
    role: str
    organisation: str
    area: list[str]
    full_name: str
    password: str = DEMO_PASSWORD
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"username": self.username, "password": self.password, "role": self.role,
                "organisation": self.organisation, "area": " / ".join(self.area)}


def is_loaded() -> bool:
    return Jurisdiction.objects.exists()


@transaction.atomic
def load() -> list[DemoAccount]:
    """Build the demo world. Runs as the system (actor=None): every row is audited."""
    world: dict = {"accounts": []}
    node = services.jurisdiction_create

    # --- Tibet: the Dazi-like county --------------------------------------------------
    tibet = node(actor=None, name="西藏自治区", level=Level.PROVINCE, code="540000")
    lhasa = node(actor=None, name="拉萨市", level=Level.CITY, parent=tibet, code="540100")
    dazi = node(actor=None, name="达孜区", level=Level.DISTRICT, parent=lhasa, code="540104")
    villages: list[Jurisdiction] = []
    townships = []
    for t_name, t_code, v_names in DAZI_TOWNSHIPS:
        township = node(actor=None, name=t_name, level=Level.TOWNSHIP, parent=dazi, code=t_code)
        townships.append(township)
        for v_index, v_name in enumerate(v_names, start=1):
            villages.append(node(actor=None, name=v_name, level=Level.VILLAGE, parent=township,
                                 code=f"{t_code}{v_index + 200:03d}"))
    assert len(villages) == 23 and len(townships) == 6

    # --- Zhejiang: the Ningbo-like district --------------------------------------------
    zhejiang = node(actor=None, name="浙江省", level=Level.PROVINCE, code="330000")
    ningbo = node(actor=None, name="宁波市", level=Level.CITY, parent=zhejiang, code="330200")
    jiangbei = node(actor=None, name="江北区", level=Level.DISTRICT, parent=ningbo, code="330205")
    kongpu = node(actor=None, name="孔浦街道", level=Level.TOWNSHIP, parent=jiangbei,
                  code="330205003")
    cuidong = node(actor=None, name="翠东社区", level=Level.VILLAGE, parent=kongpu,
                   code="330205003009")
    grids = [node(actor=None, name=g, level=Level.GRID, parent=cuidong) for g in NINGBO_GRIDS]

    # --- Organisations ------------------------------------------------------------------
    org = services.organisation_create
    task_force = org(actor=None, name="西藏自治区燃气安全专班", kind=OrgKind.TASK_FORCE,
                     jurisdictions=[tibet])
    dazi_msa = org(actor=None, name="达孜区市场监督管理局", kind=OrgKind.REGULATOR,
                   regulator_type=RegulatorType.MARKET_SUPERVISION, jurisdictions=[dazi])
    dazi_housing = org(actor=None, name="达孜区住房和城乡建设局", kind=OrgKind.REGULATOR,
                       regulator_type=RegulatorType.HOUSING, jurisdictions=[dazi])
    lpg_company = org(actor=None, name="达孜区虎峰燃气有限公司", kind=OrgKind.LPG_COMPANY,
                      jurisdictions=[dazi])
    station = org(actor=None, name="虎峰液化气站", kind=OrgKind.LPG_STATION, parent=lpg_company,
                  jurisdictions=[dazi])
    dechen_office = org(actor=None, name="德庆镇人民政府", kind=OrgKind.TOWNSHIP_OFFICE,
                        jurisdictions=[townships[0]])
    gas_company = org(actor=None, name="宁波兴光燃气有限公司", kind=OrgKind.PIPELINE_GAS,
                      jurisdictions=[ningbo])
    jiangbei_housing = org(actor=None, name="江北区综合行政执法局（燃气）", kind=OrgKind.REGULATOR,
                           regulator_type=RegulatorType.HOUSING, jurisdictions=[jiangbei])
    kongpu_office = org(actor=None, name="孔浦街道办事处", kind=OrgKind.TOWNSHIP_OFFICE,
                        jurisdictions=[kongpu])
    platform = org(actor=None, name="燃安平台运维中心", kind=OrgKind.TASK_FORCE,
                   jurisdictions=[tibet, zhejiang])

    # --- Accounts -----------------------------------------------------------------------
    accounts: list[DemoAccount] = []
    hashed = make_password(DEMO_PASSWORD)  # one slow hash for all demo accounts

    def person(username, role, organisation, area, full_name, phone=""):
        services.account_create(
            actor=None, username=username, password=DEMO_PASSWORD, organisation=organisation,
            roles=[role], area=area, full_name=full_name, phone=phone, check_password=False,
            hashed_password=hashed)
        accounts.append(DemoAccount(username, role, organisation.name,
                                    [n.name for n in area], full_name))

    person("admin", Role.ADMIN, platform, [tibet, zhejiang], "平台管理员")
    # 三员分立: the system administrator, the security administrator (accounts' roles and
    # credentials of the privileged ones) and the auditor are three people.
    person("secadmin", Role.SECURITY_ADMIN, platform, [tibet, zhejiang], "安全管理员")
    person("auditor", Role.AUDITOR, platform, [tibet, zhejiang], "安全审计员")
    person("taskforce", Role.TASK_FORCE, task_force, [tibet], "专班联络员")
    person("dazi_msa", Role.REGULATOR, dazi_msa, [dazi], "高鹤")
    person("dazi_housing", Role.REGULATOR, dazi_housing, [dazi], "住建局燃气科")
    person("lpg_admin", Role.ENTERPRISE_ADMIN, lpg_company, [dazi], "虎峰燃气管理员")
    person("station", Role.STATION_MANAGER, station, [dazi], "杨浩宇", "13800000001")
    person("dechen_grid", Role.GRID_WORKER, dechen_office, [townships[0]], "德庆镇网格员")
    for index, name in enumerate(COURIER_NAMES):
        # Courier i covers village i; the first eight also cover village 15 + i.
        area = [villages[index]] + ([villages[15 + index]] if index < 8 else [])
        person(f"courier{index + 1:02d}", Role.COURIER, station, area, name,
               f"1390000{index + 1:04d}")
    person("ningbo_gas", Role.ENTERPRISE_ADMIN, gas_company, [ningbo], "兴光燃气管理员")
    person("butler", Role.INSPECTOR, gas_company, [cuidong], "翠东燃气管家", "13700000001")
    person("jiangbei_reg", Role.REGULATOR, jiangbei_housing, [jiangbei], "江北区燃气监管")
    person("kongpu_grid", Role.GRID_WORKER, kongpu_office, [kongpu], "孔浦街道网格员")

    world.update(
        accounts=accounts, tibet=tibet, dazi=dazi, townships=townships, villages=villages,
        zhejiang=zhejiang, jiangbei=jiangbei, cuidong=cuidong, grids=grids, station=station,
        lpg_company=lpg_company, gas_company=gas_company, dazi_msa=dazi_msa,
        dazi_housing=dazi_housing,
    )
    from ranan.core import contract

    for extend in contract.demo_loaders():
        extend(world)
    return accounts


def write_accounts(accounts: list[DemoAccount], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([a.as_json() for a in accounts], ensure_ascii=False, indent=2))


def accounts_from_file(path: Path) -> list[dict]:
    return json.loads(path.read_text()) if path.exists() else []
