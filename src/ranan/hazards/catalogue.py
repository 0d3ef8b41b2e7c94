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
}
DEADLINE_DAYS = {"major": 1, "large": 3, "general": 7, "minor": 15}


def install(Category, GradeDeadline) -> None:
    for code, (name, name_en, grade) in CATEGORIES.items():
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "default_grade": grade})
    for grade, days in DEADLINE_DAYS.items():
        GradeDeadline.objects.get_or_create(grade=grade, defaults={"days": days})
