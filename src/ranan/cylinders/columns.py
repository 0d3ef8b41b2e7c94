"""The columns of the cylinder stock spreadsheet: one definition for the template and the
importer (like customers/columns.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ranan.customers.columns import Column
from ranan.cylinders.choices import State

COLUMNS = [
    Column("code", "气瓶编码", _("code"), width=14,
           note="已贴标签的填标签上的11位编码（先在“标签”页打印并粘贴）；留空则系统生成新编码"),
    Column("type", "规格型号", _("type"), required=True, width=16,
           note="系统中的气瓶规格名称，或充装量，如 15、15kg"),
    Column("manufacturer", "制造单位", _("manufacturer"), width=22),
    Column("serial", "出厂编号", _("factory serial"), width=14),
    Column("made_on", "制造日期", _("manufactured on"), required=True, width=12,
           note="如 2019-03-01、2019/3/1、2019.3.1 或 Excel 日期"),
    Column("last_inspected_on", "上次检验日期", _("last periodic inspection"), width=12,
           note="最近一次定期检验的日期；未检验过的留空"),
    Column("life_extended", "检验后延长使用", _("life extended"), width=10,
           note="是/否：定期检验合格后已延长使用年限"),
    Column("state", "状态", _("state"), width=8, note="空瓶 或 满瓶（默认空瓶）"),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
# English headers are accepted too (compared without case).
ENGLISH_HEADERS = {
    "code": "code", "cylinder code": "code", "type": "type", "cylinder type": "type",
    "manufacturer": "manufacturer", "factory serial": "serial", "serial": "serial",
    "serial number": "serial", "manufactured on": "made_on", "manufacture date": "made_on",
    "date of manufacture": "made_on", "last periodic inspection": "last_inspected_on",
    "last inspection": "last_inspected_on", "last inspected on": "last_inspected_on",
    "life extended": "life_extended", "state": "state",
}
# Other Chinese headers people write for the same columns.
CHINESE_ALIASES = {
    "编码": "code", "气瓶码": "code", "二维码": "code", "规格": "type", "型号": "type",
    "气瓶规格": "type", "制造厂": "manufacturer", "生产厂家": "manufacturer",
    "制造厂家": "manufacturer", "钢瓶编号": "serial", "生产日期": "made_on",
    "出厂日期": "made_on", "检验日期": "last_inspected_on", "上次定期检验日期": "last_inspected_on",
    "最近检验日期": "last_inspected_on", "延长使用": "life_extended", "是否延寿": "life_extended",
}
REQUIRED = [c.key for c in COLUMNS if c.required]

# Only cylinders standing at the station can be imported: one with a customer or a courier
# needs that holder, which a stock list does not give. Fixed words, not the translation
# catalogue, so that a file written today still imports after a translation changes.
STATE_WORDS = {
    "空瓶": State.EMPTY_AT_STATION, "空": State.EMPTY_AT_STATION, "empty": State.EMPTY_AT_STATION,
    "满瓶": State.FULL_AT_STATION, "满": State.FULL_AT_STATION, "重瓶": State.FULL_AT_STATION,
    "实瓶": State.FULL_AT_STATION, "full": State.FULL_AT_STATION,
}
