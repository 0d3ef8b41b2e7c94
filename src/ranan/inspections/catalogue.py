"""The default checklists (version 1 of each), as data. Each item is phrased so that "pass"
is the safe answer. An administrator edits a checklist by publishing a new version; these
defaults only seed an empty database (migration 0002)."""

from __future__ import annotations

PF, NUM, CHOICE = "pass_fail", "number", "choice"

# code: (question, question_en, type, category, grade, photo on fail, fix part, extra)
ITEMS = {
    "stove_flame_out": ("灶具带熄火保护装置", "The stove has flame-out protection", PF, "stove",
                        "general", False, "stove", {}),
    "stove_age": ("灶具使用年限（年）", "Age of the stove (years)", NUM, "stove", "general",
                  False, "stove", {"fail_above": 8, "unit": "年"}),
    "hose_type": ("连接软管类型", "Type of connector hose", CHOICE, "hose", "general", False,
                  "hose", {"choices": [
                      {"value": "metal", "label": "金属波纹管", "label_en": "Metal corrugated",
                       "fails": False},
                      {"value": "rubber", "label": "橡胶软管", "label_en": "Rubber", "fails": True},
                      {"value": "none", "label": "硬管连接", "label_en": "Rigid pipe",
                       "fails": False}]}),
    "hose_ageing": ("软管无老化、龟裂", "The hose is not aged or cracked", PF, "hose", "large",
                    True, "hose", {}),
    "hose_length": ("软管长度（米）", "Length of the hose (m)", NUM, "hose", "general", False,
                    "hose", {"fail_above": 2, "unit": "m"}),
    "hose_through_wall": ("软管未穿越墙体、门窗", "The hose does not pass through walls or doors",
                          PF, "hose", "large", True, "hose", {}),
    "valve_condition": ("阀门完好，非老旧阀门", "The valve is sound, not an old valve", PF,
                        "valve", "general", False, "valve", {}),
    "regulator_cutoff": ("减压阀带自动切断功能", "The regulator has an automatic cut-off", PF,
                         "regulator", "general", False, "regulator", {}),
    "ventilation": ("用气场所通风良好", "The room where gas is used is well ventilated", PF,
                    "ventilation", "general", False, "", {}),
    "not_closed_room": ("未在密闭房间或卧室内用气", "Gas is not used in a closed room or bedroom",
                        PF, "closed_room", "major", True, "", {}),
    "cylinder_placement": ("钢瓶未放置在高层住宅或地下室",
                           "No cylinder in a high-rise building or a basement", PF,
                           "cylinder_placement", "major", True, "", {}),
    "cylinders_stored": ("存放钢瓶数量（只）", "Cylinders kept on the premises", NUM,
                         "illegal_storage", "large", True, "", {"fail_above": 2, "unit": "只"}),
    "no_private_connection": ("无私接、改装燃气设施",
                              "No illegal modification or private connection", PF,
                              "private_connection", "major", True, "", {}),
    "indoor_pipe": ("户内管道无锈蚀", "Indoor pipes are not corroded", PF, "corrosion", "large",
                    True, "indoor_pipe", {}),
    "water_heater_flue": ("热水器有烟道或为强排式", "The water heater has a flue (forced or balanced)",
                          PF, "water_heater", "major", True, "water_heater", {}),
    "alarm": ("安装燃气报警器且工作正常", "A gas alarm is installed and works", PF, "alarm", "minor",
              False, "alarm", {}),
    "meter": ("燃气表完好、无漏气", "The gas meter is sound, no leak", PF, "meter", "large", True,
              "meter", {}),
    "leak_test": ("检漏无泄漏", "Leak test: no leak", PF, "other", "major", True, "", {}),
}

LPG = ["stove_flame_out", "stove_age", "hose_type", "hose_ageing", "hose_length",
       "hose_through_wall", "valve_condition", "regulator_cutoff", "ventilation",
       "not_closed_room", "cylinder_placement", "cylinders_stored", "no_private_connection",
       "water_heater_flue", "alarm", "leak_test"]
PIPELINE = ["stove_flame_out", "stove_age", "hose_type", "hose_ageing", "hose_length",
            "hose_through_wall", "valve_condition", "ventilation", "not_closed_room",
            "no_private_connection", "indoor_pipe", "water_heater_flue", "alarm", "meter",
            "leak_test"]
NON_RESIDENTIAL = list(ITEMS)
# Items of the non-residential list that only some premises have (LPG or pipeline).
OPTIONAL_NON_RESIDENTIAL = {"regulator_cutoff", "cylinder_placement", "cylinders_stored",
                            "indoor_pipe", "meter"}

CHECKLISTS = [
    ("lpg-household", "液化气用户入户安检表", "lpg_household", LPG),
    ("pipeline-household", "管道燃气用户入户安检表", "pipeline_household", PIPELINE),
    ("non-residential", "非居民用户安全检查表", "non_residential", NON_RESIDENTIAL),
]


def install_defaults(Checklist, ChecklistItem) -> None:
    """Create version 1 of each default checklist (models passed in: usable from a migration)."""
    for key, title, audience, codes in CHECKLISTS:
        if Checklist.objects.filter(key=key).exists():
            continue
        checklist = Checklist.objects.create(key=key, version=1, title=title, audience=audience,
                                             published=True)
        for position, code in enumerate(codes, start=1):
            question, question_en, kind, category, grade, photo, part, extra = ITEMS[code]
            required = not (key == "non-residential" and code in OPTIONAL_NON_RESIDENTIAL)
            ChecklistItem.objects.create(
                checklist=checklist, position=position, code=code, question=question,
                question_en=question_en, answer_type=kind, hazard_category=category,
                default_grade=grade, photo_on_fail=photo, fix_part=part, required=required,
                fail_above=extra.get("fail_above"), fail_below=extra.get("fail_below"),
                unit=extra.get("unit", ""), choices=extra.get("choices", []))
