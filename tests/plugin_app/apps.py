from datetime import timedelta

from ranan.core import contract
from ranan.core.choices import OrgKind, Role
from ranan.core.contract import DATA_ROLES, Demo, Job, Nav, Panel, RoleDef


class PluginConfig(contract.RananApp):
    name = "tests.plugin_app"
    label = "plugin_app"

    navigation = [Nav("plugin-home", "Plugin", order=45, capability="plugin_app.use")]
    home_panels = [Panel("plugin_app/_home.html", "tests.plugin_app.views.home_panel", order=5)]
    customer_panels = [Panel("plugin_app/_customer.html", "tests.plugin_app.views.customer_panel",
                             order=5)]
    demo = Demo("tests.plugin_app.views.demo", after=("delivery", "customers"))
    jobs = [Job("ranan.core.tasks.deliver_messages", timedelta(days=7))]
    hooks = {"inspections.findings": ["tests.plugin_app.views.on_findings"]}
    # A role of its own (a repair crew of a gas company), which sees its area's data.
    roles = [RoleDef("plugin_crew", "Repair crew", frozenset({OrgKind.PIPELINE_GAS}))]
    capabilities = {"plugin_app.use": {Role.COURIER, "plugin_crew"},
                    "plugin_app.everyone": DATA_ROLES}
