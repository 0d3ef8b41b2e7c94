"""The columns of the customer spreadsheet: one definition for the template, the importer
and the exporter, so that an exported file imports back unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    header: str          # the Chinese header, as government staff know them
    label: object        # translated label for error messages in English
    required: bool = False
    width: int = 12
    note: str = ""


COLUMNS = [
    Column("id", "编号", _("ID"), width=9, note="导出文件自带；新增留空。用“更新”方式导入时按编号更新"),
    Column("kind", "类型", _("type"), width=10, note="居民用户、餐饮、食堂、学校/幼儿园…"),
    Column("name", "名称", _("name"), required=True, width=16, note="户主姓名或单位名称"),
    Column("address", "地址", _("address"), required=True, width=28),
    Column("building", "楼栋", _("building"), width=7),
    Column("unit", "单元", _("unit"), width=7),
    Column("room", "房号", _("room"), width=7),
    Column("jurisdiction_code", "辖区编码", _("division code"), width=14,
           note="村/社区或网格的行政区划代码；与“辖区”二选一"),
    Column("jurisdiction_path", "辖区", _("jurisdiction"), width=24,
           note="如 德庆镇/桑珠林村 或 翠东社区/第一网格；重名时写上级"),
    Column("supply", "供气方式", _("gas supply"), required=True, width=10, note="管道燃气 或 瓶装液化气"),
    Column("meter_number", "燃气表号", _("meter number"), width=14, note="管道用户填写"),
    Column("gas_company", "燃气企业", _("gas company"), width=18, note="管道用户的燃气企业名称"),
    Column("lpg_station", "液化气站", _("LPG station"), width=14, note="瓶装液化气用户的气站名称"),
    Column("contact_name", "联系人", _("contact"), width=10),
    Column("phone", "联系电话", _("phone"), width=14, note="手机或固定电话"),
    Column("contact2_name", "联系人2", _("second contact"), width=10),
    Column("phone2", "联系电话2", _("second phone"), width=14),
    Column("id_number", "身份证号", _("ID number"), width=20),
    Column("elderly_alone", "独居老人", _("elderly living alone"), width=8, note="是/否"),
    Column("disabled", "残疾人", _("disabled"), width=8, note="是/否"),
    Column("tenant", "租户", _("rented / tenant"), width=8, note="是/否"),
    Column("high_rise", "高层", _("high-rise"), width=8, note="是/否"),
    Column("home_times", "常在家时间", _("usually at home"), width=14),
    Column("status", "状态", _("status"), width=10, note="在用、已搬离、已停气、已改管道、已改电"),
    Column("status_date", "状态日期", _("status since"), width=11, note="如 2024-05-01"),
    Column("latitude", "纬度", _("latitude"), width=10),
    Column("longitude", "经度", _("longitude"), width=10),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
# English headers are accepted too (a file exported with the English interface).
ENGLISH_HEADERS = {
    "ID": "id", "Type": "kind", "Name": "name", "Address": "address", "Building": "building",
    "Unit": "unit", "Room": "room", "Division code": "jurisdiction_code",
    "Jurisdiction": "jurisdiction_path", "Gas supply": "supply", "Meter number": "meter_number",
    "Gas company": "gas_company", "LPG station": "lpg_station", "Contact": "contact_name",
    "Phone": "phone", "Second contact": "contact2_name", "Second phone": "phone2",
    "ID number": "id_number", "Elderly living alone": "elderly_alone", "Disabled": "disabled",
    "Tenant": "tenant", "High-rise": "high_rise", "Usually at home": "home_times",
    "Status": "status", "Status since": "status_date", "Latitude": "latitude",
    "Longitude": "longitude",
}

# The Chinese words written in exported files and accepted on import (with the English
# codes and labels): fixed here, not taken from the translation catalogue, so that a file
# exported today still imports after someone improves a translation.
KIND_WORDS = {
    "居民用户": "residential", "居民": "residential", "住户": "residential", "餐饮": "restaurant",
    "餐馆": "restaurant", "饭店": "restaurant", "食堂": "canteen", "农贸市场": "market", "市场": "market",
    "学校/幼儿园": "school", "学校": "school", "幼儿园": "school", "医院/诊所": "hospital",
    "医院": "hospital", "诊所": "hospital", "商铺": "shop", "宾馆酒店": "hotel", "酒店": "hotel",
    "宾馆": "hotel", "娱乐场所": "entertainment", "网吧": "internet_cafe", "美容洗浴": "bath",
    "小作坊/工厂": "factory", "工厂": "factory", "其他场所": "other", "其他": "other",
}
SUPPLY_WORDS = {
    "管道燃气": "pipeline", "管道": "pipeline", "管道气": "pipeline", "天然气": "pipeline",
    "管道天然气": "pipeline", "瓶装液化气": "lpg", "瓶装": "lpg", "液化气": "lpg",
    "瓶装气": "lpg", "液化石油气": "lpg",
}
STATUS_WORDS = {
    "在用": "active", "正常": "active", "已搬离": "moved_out", "搬离": "moved_out",
    "已停气": "shut_off", "停气": "shut_off", "已改管道": "converted_pipe",
    "已改电": "converted_electric",
}


def first_word(words: dict, code: str) -> str:
    """The word an export writes for a code: the first one listed for it."""
    return next(word for word, value in words.items() if value == code)
