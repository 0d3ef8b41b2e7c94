"""The default hazard catalogue (migration 0002 seeds it; administrators edit it)."""

# code: (name, English name, default grade)
CATEGORIES = {
    "hose": ("软管隐患", "Hose", "general"),
    "valve": ("阀门隐患", "Valve", "general"),
    "regulator": ("减压阀隐患", "Regulator", "general"),
    "stove": ("灶具无熄火保护", "Stove without flame-out protection", "general"),
    "closed_room": ("密闭空间用气", "Use in a closed room", "major"),
    "private_connection": ("私接改装", "Private connection", "major"),
    "corrosion": ("管道锈蚀", "Corrosion", "large"),
    "water_heater": ("热水器隐患", "Water heater", "major"),
    "ventilation": ("通风不良", "Ventilation", "general"),
    "cylinder_placement": ("高层或地下室用瓶", "Cylinder in a high-rise or basement", "major"),
    "overdue_cylinder": ("超期钢瓶", "Overdue cylinder", "large"),
    "illegal_storage": ("违规存放钢瓶", "Illegal storage", "large"),
    "third_party": ("第三方施工破坏", "Third-party damage to a pipe", "major"),
    "alarm": ("无燃气报警器", "No working gas alarm", "minor"),
    "meter": ("燃气表隐患", "Meter", "large"),
    "other": ("其他", "Other", "general"),
    # Reported by property managers (issue 14): LPG cylinders in a high-rise building.
    "high_rise_lpg": ("高层建筑使用液化气", "LPG used in a high-rise building", "large"),
}
# The device a category's fix installs or replaces at the customer (closing the hazard
# records it): a rubber hose becomes a metal corrugated one, a regulator one with cut-off, a
# valve a self-closing one, a stove one with flame-out protection; an alarm is installed.
FIX_DEVICES = {"hose": "hose", "regulator": "regulator", "valve": "valve", "alarm": "alarm",
               "stove": "stove"}
# The department competent for each category (DOMAIN.md, "Departments' duties differ"):
# housing / urban management for installation and indoor safety, market supervision for
# cylinders, the fire service for cylinders stored in bulk. Not listed ("other"): every
# regulator of the area.
REGULATOR_TYPES = {
    **{code: "housing" for code in (
        "hose", "valve", "regulator", "stove", "closed_room", "private_connection",
        "corrosion", "water_heater", "ventilation", "cylinder_placement", "third_party",
        "alarm", "meter", "high_rise_lpg")},
    "overdue_cylinder": "market_supervision",
    "illegal_storage": "fire",
}
DEADLINE_DAYS = {"major": 1, "large": 3, "general": 7, "minor": 15}


def install(Category, GradeDeadline) -> None:
    for code, (name, name_en, grade) in CATEGORIES.items():
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "default_grade": grade})
    for grade, days in DEADLINE_DAYS.items():
        GradeDeadline.objects.get_or_create(grade=grade, defaults={"days": days})


def install_duties(Category) -> None:
    """The device each category's fix installs and its competent department, where the
    category has none yet (an administrator's choice is kept)."""
    for code, kind in FIX_DEVICES.items():
        Category.objects.filter(code=code, fix_device="").update(fix_device=kind)
    for code, kind in REGULATOR_TYPES.items():
        Category.objects.filter(code=code, regulator_type="").update(regulator_type=kind)
