"""Triggers recording a core.KpiChange for each write to this app's counted tables (the stored
figures' versions, ranan.core.kpi_triggers); they replace those reports 0003 once installed."""

from ranan.core.kpi_triggers import migration

Migration = migration(("inspections", "0002_default_checklists"), "inspections_visit",
                      "inspections_measure", "inspections_finding")
