"""Triggers recording a core.KpiChange for each write to this app's counted tables (the stored
figures' versions, ranan.core.kpi_triggers); they replace those reports 0003 once installed."""

from ranan.core.kpi_triggers import migration

Migration = migration(("hazards", "0003_supervision_and_client_id"), "hazards_hazard")
