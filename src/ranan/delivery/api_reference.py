"""A station's reference data through the API: prices, service hours, village delivery
cycles (read: whoever reads delivery, scoped to the stations it sees; write: the station's
manager, through the services), and one round."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers, status

from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.api_generic import CreateInList, EditableDetail
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.permissions import Requires
from ranan.cylinders.models import CylinderType
from ranan.cylinders.selectors import own_station
from ranan.delivery import selectors, services
from ranan.delivery.api import READ_ORDER, RoundRead
from ranan.delivery.choices import EveningOrders, RefusedCheck, ShutOffOrders
from ranan.delivery.filters import PriceFilter, VillageRoundFilter
from ranan.delivery.models import Price, StationService, VillageRound

REFERENCE = Requires("delivery.read", write="delivery.reference")


class PriceRead(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    cylinder_type_name = serializers.CharField(source="cylinder_type.name", read_only=True)

    class Meta:
        model = Price
        fields = ["id", "station", "station_name", "cylinder_type", "cylinder_type_name", "price",
                  "valid_from", "valid_to"]


class PriceWrite(serializers.Serializer):
    station = ScopedPrimaryKeyField(model=Organisation, required=False, allow_null=True,
                                    help_text="an LPG station id; default: your own")
    cylinder_type = serializers.PrimaryKeyRelatedField(queryset=CylinderType.objects.all())
    price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0,
                                     max_value=99999)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)


class PriceChange(serializers.Serializer):
    price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0,
                                     max_value=99999, required=False)
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False, allow_null=True,
                                     help_text="the last day: a price ends, it is not deleted")


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "08:00:00"})
class ClockTime(serializers.TimeField):
    """A time of day without an offset ("08:00:00"): the schema's `format: time` would ask
    for one (RFC 3339), which a station's opening hours do not have."""


class ServiceRead(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    opens = ClockTime(read_only=True)
    closes = ClockTime(read_only=True)

    class Meta:
        model = StationService
        fields = ["id", "station", "station_name", "opens", "closes", "timezone", "delivery_fee",
                  "latitude", "longitude", "road_factor", "speed_kmh", "shut_off_orders",
                  "refused_check", "evening_orders"]


class ServiceWrite(serializers.Serializer):
    station = ScopedPrimaryKeyField(model=Organisation, required=False, allow_null=True,
                                    help_text="an LPG station id; default: your own")
    opens = serializers.TimeField(required=False)
    closes = serializers.TimeField(required=False)
    timezone = serializers.CharField(max_length=40, required=False)
    delivery_fee = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0,
                                            max_value=9999, required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90,
                                        max_value=90, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180,
                                         max_value=180, required=False, allow_null=True)
    road_factor = serializers.DecimalField(max_digits=4, decimal_places=2, min_value=1,
                                           max_value=5, required=False)
    speed_kmh = serializers.IntegerField(min_value=1, max_value=120, required=False)
    shut_off_orders = serializers.ChoiceField(
        choices=ShutOffOrders.choices, required=False,
        help_text="an order for a household with gas shut off: refused, or held until restored")
    refused_check = serializers.ChoiceField(
        choices=RefusedCheck.choices, required=False,
        help_text="the check refused at the door: count (deliver and count the refusal) or "
                  "no_gas (no check, no gas: the order fails)")
    evening_orders = serializers.ChoiceField(
        choices=EveningOrders.choices, required=False,
        help_text="an after-hours order of a cycle village: next_cycle or next_morning")


class VillageRoundRead(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = VillageRound
        fields = ["id", "station", "station_name", "village", "village_name", "weekdays",
                  "every_days", "anchor", "latitude", "longitude"]


class VillageRoundChange(serializers.Serializer):
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6),
                                     max_length=7, required=False,
                                     help_text="0 = Monday … 6 = Sunday")
    every_days = serializers.IntegerField(min_value=1, max_value=60, required=False,
                                          allow_null=True)
    anchor = serializers.DateField(required=False, allow_null=True,
                                   help_text="the day every_days counts from")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90,
                                        max_value=90, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180,
                                         max_value=180, required=False, allow_null=True)


class VillageRoundWrite(VillageRoundChange):
    station = ScopedPrimaryKeyField(model=Organisation, required=False, allow_null=True,
                                    help_text="an LPG station id; default: your own")
    village = ScopedPrimaryKeyField(model=Jurisdiction, help_text="a village (jurisdiction) id")


def _station(request, data: dict):
    return data.pop("station", None) or own_station(request.user)


class PriceList(CreateInList, generics.ListAPIView):
    """Prices of the stations the account sees, newest first per type (filters: station,
    cylinder_type, on=<day>: in force that day). POST adds one (the station's manager)."""

    serializer_class = PriceRead
    filterset_class = PriceFilter
    permission_classes = [REFERENCE]

    def get_queryset(self):
        return selectors.prices_for(self.request.user)

    create_serializer = PriceWrite

    def create(self, request, data):
        return services.price_create(actor=request.user, station=_station(request, data), **data)


class PriceDetail(EditableDetail):
    """One price; PATCH changes it (`valid_to` ends it)."""

    serializer_class = PriceRead
    change_serializer = PriceChange
    permission_classes = [REFERENCE]

    def get_queryset(self):
        return selectors.prices_for(self.request.user)

    def change(self, request, row, data):
        return services.price_update(actor=request.user, price_row=row, **data)


class ServiceList(CreateInList, generics.ListAPIView):
    """Service hours, delivery fee and travel figures of the stations the account sees. POST
    sets the station's (created on first use; the station's manager)."""

    serializer_class = ServiceRead
    permission_classes = [REFERENCE]

    def get_queryset(self):
        return selectors.services_for(self.request.user)

    create_serializer = ServiceWrite
    created_status = status.HTTP_200_OK  # set, created on first use

    def create(self, request, data):
        return services.service_set(actor=request.user, station=_station(request, data), **data)


class ServiceDetail(EditableDetail):
    serializer_class = ServiceRead
    change_serializer = ServiceWrite
    permission_classes = [REFERENCE]

    def get_queryset(self):
        return selectors.services_for(self.request.user)

    def change(self, request, row, data):
        data.pop("station", None)
        return services.service_set(actor=request.user, station=row.station, **data)


class VillageRoundList(CreateInList, generics.ListAPIView):
    """Villages' delivery cycles at the stations the account sees (filters: station, village,
    weekly). POST adds one (the station's manager, a village of its area)."""

    serializer_class = VillageRoundRead
    filterset_class = VillageRoundFilter
    permission_classes = [REFERENCE]

    def get_queryset(self):
        return selectors.village_rounds_for(self.request.user)

    create_serializer = VillageRoundWrite

    def create(self, request, data):
        return services.village_round_create(actor=request.user,
                                             station=_station(request, data), **data)


class VillageRoundDetail(EditableDetail):
    serializer_class = VillageRoundRead
    change_serializer = VillageRoundChange
    permission_classes = [REFERENCE]

    def get_queryset(self):
        return selectors.village_rounds_for(self.request.user)

    def change(self, request, row, data):
        return services.village_round_update(actor=request.user, cycle=row, **data)


class RoundDetail(generics.RetrieveAPIView):
    """One round of the account's stations."""

    serializer_class = RoundRead
    permission_classes = [READ_ORDER]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)
