"""Triggers recording a core.KpiChange for each write to this app's counted tables (the stored
figures' versions, ranan.core.kpi_triggers); they replace those reports 0003 once installed."""

from ranan.core.kpi_triggers import migration

Migration = migration(("customers", "0003_device_current_cover"), "customers_customer",
                      ("customers_device", "customer_id", "customers_customer"))
