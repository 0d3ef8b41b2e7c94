"""The measure table's KPI triggers installed again: on SQLite, 0006's new columns may rebuild
the table, and a rebuilt table has lost its triggers (ranan.core.kpi_triggers)."""

from ranan.core.kpi_triggers import migration

Migration = migration(("inspections", "0006_measure_photo_and_void"), "inspections_measure")
