"""The measure table's KPI triggers installed again: on SQLite, 0004's new columns rebuild the
table, and a rebuilt table has lost its triggers (ranan.core.kpi_triggers)."""

from ranan.core.kpi_triggers import migration

Migration = migration(("inspections", "0004_supply_and_referrals"), "inspections_measure")
