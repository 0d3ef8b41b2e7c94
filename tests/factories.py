"""factory-boy factories for the records tests build on the cast. Customers are made through
their service (its checks, its audit row), as the pages and the importer make them."""

import factory
from factory.django import DjangoModelFactory

from ranan.customers import services as customer_services
from ranan.customers.choices import Supply
from ranan.customers.models import Customer
from ranan.cylinders.models import CylinderType


class HouseholdFactory(factory.Factory):
    """An LPG household (pass `jurisdiction` and `lpg_station`)."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"住户{n}")
    address = factory.Sequence(lambda n: f"一村{n}号")
    supply = Supply.LPG

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return customer_services.customer_create(actor=None, **kwargs)


class PipelineHouseholdFactory(HouseholdFactory):
    """A pipeline-gas household (pass `jurisdiction` and `gas_company`)."""

    supply = Supply.PIPELINE
    address = "乙小区"
    meter_number = factory.Sequence(lambda n: f"M-{n}")


class CylinderTypeFactory(DjangoModelFactory):
    class Meta:
        model = CylinderType
        django_get_or_create = ("name",)

    name = "YSP35.5 15kg"
    size_kg = 15
    price = 135
