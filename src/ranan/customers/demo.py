"""Demo customers (issue 3): ~2,500 LPG households across the Dazi-like villages with care
flags and a realistic mix of old rubber hoses, regulators without cut-off and old stoves;
804 pipeline households in the Ningbo-like community, about 53% on metal hoses (seed 001:
metal hose coverage 53% before the campaign); a few dozen restaurants and canteens."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from ranan.core import audit
from ranan.customers.choices import (
    Condition,
    CustomerKind,
    DeviceKind,
    HeaterType,
    HoseMaterial,
    Supply,
)
from ranan.customers.models import Customer, Device
from ranan.customers.rules import missing_mask
from ranan.lib import normalise

TIBETAN = ["扎西", "次仁", "多吉", "卓玛", "央金", "尼玛", "达瓦", "拉巴", "普布", "巴桑", "边巴",
           "平措", "旦增", "格桑", "索朗", "德吉", "白玛", "群培", "顿珠", "曲珍", "仁增", "拉姆"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志"
RESTAURANTS = ["川菜馆", "藏餐馆", "甜茶馆", "面馆", "火锅店", "小吃店", "饺子馆", "烧烤店"]


def _phone(rng) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _id_number(rng, region: str, born: datetime.date) -> str:
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _days_ago(rng, low_years: float, high_years: float) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=rng.randint(int(low_years * 365),
                                                                     int(high_years * 365)))


def extend(world: dict) -> None:
    rng = random.Random(20261123)
    customers: list[Customer] = []
    plans: list[list[dict]] = []
    station = world["station"]
    for v_index, village in enumerate(world["villages"]):
        count = 100 + (v_index * 37) % 30  # 100-129 households per village, ~2,500 in all
        for n in range(count):
            name = rng.choice(TIBETAN) + rng.choice(TIBETAN)
            born = _days_ago(rng, 20, 85)
            old = born < timezone.localdate() - datetime.timedelta(days=365 * 70)
            c = Customer(
                kind=CustomerKind.RESIDENTIAL, name=name, address=f"{village.name}{n + 1}号",
                jurisdiction=village, supply=Supply.LPG, lpg_station=station,
                contact_name=name, phone=_phone(rng),
                id_number=_id_number(rng, "540104", born) if rng.random() < 0.7 else "",
                elderly_alone=old and rng.random() < 0.35, disabled=rng.random() < 0.03,
                tenant=rng.random() < 0.05, home_times=rng.choice(["早上", "晚上", "全天", "中午", ""]))
            customers.append(c)
            devices = [{"kind": DeviceKind.STOVE, "installed_on": _days_ago(rng, 0.5, 12),
                        "flame_out": rng.random() < 0.55},
                       {"kind": DeviceKind.HOSE, "installed_on": _days_ago(rng, 0.2, 5),
                        "material": HoseMaterial.RUBBER if rng.random() < 0.7 else HoseMaterial.METAL,
                        "length_m": Decimal(rng.choice(["1.2", "1.5", "1.8", "2.5"]))},
                       {"kind": DeviceKind.REGULATOR, "installed_on": _days_ago(rng, 0.2, 8),
                        "has_cutoff": rng.random() < 0.45}]
            if rng.random() < 0.25:
                devices.append({"kind": DeviceKind.VALVE, "self_closing": rng.random() < 0.6})
            plans.append(devices)
    company = world["gas_company"]
    grids = world["grids"]
    for n in range(804):
        grid = grids[n % len(grids)]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        building, unit, room = 1 + n // 48, 1 + (n // 16) % 3, 101 + (n % 16) // 2 * 100 + n % 2
        c = Customer(
            kind=CustomerKind.RESIDENTIAL, name=name, address="翠东小区", building=str(building),
            unit=str(unit), room=str(room), jurisdiction=grid, supply=Supply.PIPELINE,
            gas_company=company, meter_number=f"NB{330205000000 + n:012d}", contact_name=name,
            phone=_phone(rng), tenant=rng.random() < 0.4, high_rise=building > 10,
            elderly_alone=rng.random() < 0.06, home_times=rng.choice(["晚上", "周末", "白天", ""]))
        customers.append(c)
        devices = [{"kind": DeviceKind.METER, "meter_number": c.meter_number,
                    "installed_on": _days_ago(rng, 3, 15)},
                   {"kind": DeviceKind.STOVE, "installed_on": _days_ago(rng, 0.5, 11),
                    "flame_out": rng.random() < 0.93},
                   {"kind": DeviceKind.HOSE, "installed_on": _days_ago(rng, 0.2, 4),
                    "material": HoseMaterial.METAL if rng.random() < 0.53 else HoseMaterial.RUBBER,
                    "length_m": Decimal(rng.choice(["0.8", "1.0", "1.5"]))},
                   {"kind": DeviceKind.VALVE, "self_closing": rng.random() < 0.5},
                   {"kind": DeviceKind.INDOOR_PIPE, "condition": Condition.CORRODED
                    if rng.random() < 0.03 else Condition.GOOD}]
        if rng.random() < 0.6:
            devices.append({"kind": DeviceKind.WATER_HEATER, "heater_type": HeaterType.FLUELESS
                            if rng.random() < 0.03 else HeaterType.FLUED})
        plans.append(devices)
    # A few dozen restaurants and canteens: LPG in the county town, pipeline in the community.
    for n in range(36):
        village = world["villages"][n % 5]
        kind = CustomerKind.CANTEEN if n % 6 == 0 else CustomerKind.RESTAURANT
        name = (f"{village.name}小学食堂" if kind == CustomerKind.CANTEEN
                else f"{rng.choice(TIBETAN)}{rng.choice(RESTAURANTS)}")
        customers.append(Customer(kind=kind, name=name, address=f"{village.name}街{n + 1}号",
                                  jurisdiction=village, supply=Supply.LPG, lpg_station=station,
                                  contact_name=rng.choice(TIBETAN), phone=_phone(rng)))
        plans.append([{"kind": DeviceKind.STOVE, "installed_on": _days_ago(rng, 1, 10),
                       "flame_out": rng.random() < 0.7},
                      {"kind": DeviceKind.HOSE, "installed_on": _days_ago(rng, 0.3, 3),
                       "material": HoseMaterial.METAL if rng.random() < 0.5 else HoseMaterial.RUBBER},
                      {"kind": DeviceKind.REGULATOR, "has_cutoff": rng.random() < 0.6},
                      {"kind": DeviceKind.ALARM} if rng.random() < 0.5 else
                      {"kind": DeviceKind.VALVE, "self_closing": True}])
    for n in range(10):
        grid = grids[n % len(grids)]
        customers.append(Customer(
            kind=CustomerKind.RESTAURANT, name=f"翠东{rng.choice(['面馆', '快餐', '小吃', '饭店'])}{n + 1}",
            address=f"翠东路{n * 2 + 1}号", jurisdiction=grid, supply=Supply.PIPELINE,
            gas_company=company, meter_number=f"NBC{n:06d}", contact_name=rng.choice(SURNAMES) + "老板",
            phone=_phone(rng)))
        plans.append([{"kind": DeviceKind.ALARM}, {"kind": DeviceKind.VALVE, "self_closing": True},
                      {"kind": DeviceKind.HOSE, "material": HoseMaterial.METAL}])
    for c, devices in zip(customers, plans, strict=True):
        c.jpath = c.jurisdiction.path
        c.name_initials = normalise.initials(c.name)
        c.phone_tail = c.phone[-4:]
        objs = [Device(**d) for d in devices]
        c.missing = missing_mask(c.supply, objs)
    Customer.objects.bulk_create(customers, batch_size=1000)
    rows = []
    for c, devices in zip(customers, plans, strict=True):
        rows.extend(Device(customer=c, **d) for d in devices)
    Device.objects.bulk_create(rows, batch_size=2000)
    audit.record(actor=None, action="create", model="customers.customer",
                 object_repr=f"demo: {len(customers)} customers",
                 details={"demo": True, "customers": len(customers), "devices": len(rows)})
    world["customers"] = customers
