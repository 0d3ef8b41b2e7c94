"""The order table's KPI triggers installed again: on SQLite, 0005's changes to the table
rebuild it, and a rebuilt table has lost its triggers (ranan.core.kpi_triggers)."""

from ranan.core.kpi_triggers import migration

Migration = migration(("delivery", "0005_station_policies_held_orders"), "delivery_order")
