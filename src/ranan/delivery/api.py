"""Delivery endpoints: orders (create, list, one with its history), rounds (list, plan),
completing a delivery."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api import ScopedPrimaryKeyField, out_of_scope
from ranan.core.api_base import date_param, error_response
from ranan.core.choices import Role
from ranan.core.permissions import Requires
from ranan.customers.models import Customer
from ranan.cylinders.models import CylinderType
from ranan.delivery import selectors, services
from ranan.delivery.choices import Channel, Payment
from ranan.delivery.filters import OrderFilter, RoundFilter
from ranan.delivery.models import Order, OrderEvent, Round
from ranan.inspections.api import ImageText
from ranan.lib.images import decode_data_url

# Reading: every data role (each sees its own stations' or villages' orders, often none);
# the writes are the couriers' and the station's (the services check the same row).
READ_ORDER = Requires("core.data", write="delivery.order")


class OrderRead(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name")
    address = serializers.CharField(source="customer.full_address")
    cylinder_type_name = serializers.CharField(source="cylinder_type.name", read_only=True)

    class Meta:
        model = Order
        fields = ["id", "customer", "customer_name", "address", "cylinder_type",
                  "cylinder_type_name", "quantity",
                  "channel", "received_at", "wanted_date", "urgent", "note", "unit_price",
                  "delivery_fee", "total", "payment", "state", "fail_reason", "held_reason",
                  "scheduled_date",
                  "priority", "after_hours", "round", "sequence", "delivered_at", "visit"]


class OrderEventRead(serializers.ModelSerializer):
    """One state change of the order (`from_state` empty: the order was taken; equal to
    `to_state`: moved to another round)."""

    actor_username = serializers.CharField(source="actor.username", allow_null=True,
                                           default=None)

    class Meta:
        model = OrderEvent
        fields = ["from_state", "to_state", "at", "actor", "actor_username", "round", "reason",
                  "note", "backfilled"]


class OrderDetailRead(OrderRead):
    history = OrderEventRead(many=True, read_only=True)

    class Meta(OrderRead.Meta):
        fields = [*OrderRead.Meta.fields, "history"]


class OrderWrite(serializers.Serializer):
    customer = ScopedPrimaryKeyField(model=Customer)
    cylinder_type = serializers.PrimaryKeyRelatedField(queryset=CylinderType.objects.all())
    quantity = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.COURIER)
    received_at = serializers.DateTimeField(required=False)
    wanted_date = serializers.DateField(required=False, allow_null=True)
    urgent = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    client_id = serializers.UUIDField()
    buyer_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    buyer_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)


class OrderList(generics.ListAPIView):
    """Orders of the account's stations or villages (filters: state, date, round). POST takes
    an order: it answers its `scheduled_date` and `priority`."""

    serializer_class = OrderRead
    filterset_class = OrderFilter
    permission_classes = [READ_ORDER]

    def get_queryset(self):
        qs = selectors.orders_for(self.request.user)
        return qs.order_by("scheduled_date", "round_id", "sequence", "priority", "received_at")

    def get(self, request, *args, **kwargs):
        # Held orders of households whose supply was restored are released on listing.
        stations = selectors.own_station_ids(request.user)
        if stations:
            services.release_restored(station_ids=stations)
        return super().get(request, *args, **kwargs)

    @extend_schema(request=OrderWrite, responses={201: OrderRead})
    def post(self, request):
        body = OrderWrite(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        customer = data.pop("customer")
        existed = Order.objects.filter(client_id=data["client_id"]).exists()
        try:
            order = services.order_create(actor=request.user, customer=customer, **data)
        except services.OrderConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for another order."), status.HTTP_409_CONFLICT)
        except Customer.DoesNotExist:
            raise out_of_scope("customer", customer.pk) from None
        return Response(OrderRead(order).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class OrderDetail(generics.RetrieveAPIView):
    """One order with its history: each state change, oldest first."""

    serializer_class = OrderDetailRead
    permission_classes = [READ_ORDER]

    def get_queryset(self):
        return selectors.orders_for(self.request.user)


class CheckWrite(serializers.Serializer):
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True))
    fixes = serializers.DictField(child=serializers.DictField(), required=False)
    signature = ImageText()
    photos = serializers.ListField(child=serializers.DictField(), required=False)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class DeliverWrite(serializers.Serializer):
    full_codes = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10)
    empty_codes = serializers.ListField(child=serializers.CharField(max_length=40),
                                        required=False, max_length=10)
    check = CheckWrite(required=False)
    check_refused = serializers.BooleanField(default=False)
    payment = serializers.ChoiceField(choices=Payment.choices, default=Payment.CASH)
    payment_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)
    client_id = serializers.UUIDField()


class DeliverView(APIView):
    """Complete a delivery: the scanned codes, the check (or its refusal), the payment."""

    permission_classes = [READ_ORDER]

    @extend_schema(request=DeliverWrite, responses=OrderRead)
    def post(self, request, pk):
        order = get_object_or_404(Order.objects.visible_to(request.user), pk=pk)
        body = DeliverWrite(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        check = None
        if data.get("check"):
            from ranan.inspections.services import Upload

            raw = data["check"]
            check = {"answers": raw["answers"], "fixes": raw.get("fixes"),
                     "notes": raw.get("notes", ""),
                     "signature": decode_data_url(raw["signature"], "check.signature"),
                     "photos": [Upload(decode_data_url(p.get("data", ""), f"check.photos.{i}"),
                                       p.get("item") or None)
                                for i, p in enumerate(raw.get("photos") or [])]}
        try:
            order = services.order_deliver(
                actor=request.user, order=order, full_codes=data["full_codes"],
                empty_codes=data.get("empty_codes"), check=check,
                check_refused=data["check_refused"], payment=data["payment"],
                payment_ref=data.get("payment_ref", ""), client_id=data["client_id"])
        except services.OrderConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for another delivery."),
                status.HTTP_409_CONFLICT)
        except Order.DoesNotExist:
            raise NotFound from None
        return Response(OrderRead(order).data)


class CancelWrite(serializers.Serializer):
    note = serializers.CharField(max_length=150, required=False, allow_blank=True)


class ReleaseView(APIView):
    """Release a held order (the household's supply restored; refused naming `customer`
    while it is still shut off). The station's manager."""

    permission_classes = [Requires("delivery.read", write="delivery.manage")]

    @extend_schema(request=None, responses=OrderRead)
    def post(self, request, pk):
        order = get_object_or_404(Order.objects.visible_to(request.user), pk=pk)
        try:
            order = services.order_release(actor=request.user, order=order)
        except Order.DoesNotExist:
            raise NotFound from None
        return Response(OrderRead(order).data)


class CancelView(APIView):
    """Cancel an order not out yet (a held one included). The station's manager."""

    permission_classes = [Requires("delivery.read", write="delivery.manage")]

    @extend_schema(request=CancelWrite, responses=OrderRead)
    def post(self, request, pk):
        order = get_object_or_404(Order.objects.visible_to(request.user), pk=pk)
        body = CancelWrite(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            order = services.order_cancel(actor=request.user, order=order,
                                          note=body.validated_data.get("note", ""))
        except Order.DoesNotExist:
            raise NotFound from None
        return Response(OrderRead(order).data)


class RoundRead(serializers.ModelSerializer):
    courier = serializers.CharField(source="courier.username", allow_null=True, default=None)
    orders = serializers.IntegerField(source="orders.count", read_only=True)

    class Meta:
        model = Round
        fields = ["id", "date", "courier", "vehicle", "state", "orders", "km_before",
                  "km_after", "minutes_after", "planned_at"]


class RoundList(generics.ListAPIView):
    """Rounds of the account's station (`?date=`)."""

    serializer_class = RoundRead
    filterset_class = RoundFilter
    permission_classes = [READ_ORDER]

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)


class PlanView(APIView):
    """Order a round's stops to minimise travel (OR-Tools); answers the distances before
    (in the order received) and after."""

    permission_classes = [READ_ORDER]

    @extend_schema(request=None, responses=RoundRead)
    def post(self, request, pk):
        the_round = get_object_or_404(Round.objects.visible_to(request.user), pk=pk)
        try:
            the_round = services.plan_round(actor=request.user, the_round=the_round)
        except Round.DoesNotExist:
            raise NotFound from None
        return Response(RoundRead(the_round).data)


class ReportAnswer(serializers.Serializer):
    deliveries = serializers.IntegerField()
    delivery_wait_median_hours = serializers.FloatField(allow_null=True)
    delivery_wait_p90_hours = serializers.FloatField(allow_null=True)
    deliveries_checked_rate = serializers.DictField()
    by_day_courier_village = serializers.ListField(child=serializers.DictField())
    money_by_courier_day = serializers.ListField(child=serializers.DictField())
    failed_by_reason = serializers.ListField(child=serializers.DictField())


class ReportView(APIView):
    """Delivery figures for a period (`from`, `to`, default the last 30 days)."""

    permission_classes = [Requires("core.data")]

    @extend_schema(parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)],
                   responses=ReportAnswer)
    def get(self, request):
        end = date_param(request.query_params, "to") or timezone.localdate()
        start = date_param(request.query_params, "from") or (
            end - datetime.timedelta(days=29))
        return Response(selectors.report(request.user, None, start, end))


class LoadWrite(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField(max_length=40, allow_blank=True),
                                  max_length=services.MAX_LOAD,
                                  help_text="the codes scanned, each a dispatch to the "
                                            "round's courier through the interlock")
    client_id = serializers.UUIDField()


class LoadTypeRow(serializers.Serializer):
    type = serializers.IntegerField(source="type.pk")
    type_name = serializers.CharField(source="type.name")
    needed = serializers.IntegerField(help_text="full cylinders the round's open orders need")
    carried = serializers.IntegerField(help_text="full, with the courier now")
    missing = serializers.IntegerField(help_text="needed but not carried")
    dispatched = serializers.IntegerField(help_text="loaded (dispatched) that day")
    delivered = serializers.IntegerField(help_text="delivered that day")
    collected = serializers.IntegerField(help_text="empties collected that day")


class LoadRead(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    date = serializers.DateField(source="round.date")
    courier = serializers.IntegerField(source="round.courier_id", allow_null=True)
    types = LoadTypeRow(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    cylinders = serializers.SerializerMethodField()

    def get_cylinders(self, obj) -> list[str]:
        return [c.code for c in obj["held"]]


class LoadResult(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    courier = serializers.IntegerField()
    loaded = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField(),
                                    help_text="each code's verdict and reasons")


class LoadView(APIView):
    """A round's load (GET): what its open orders need and what its courier carries, by
    type; a courier sees only its own rounds. Load the round (POST, the station's staff):
    the scanned codes out to its courier, each through the interlock (refusals with their
    reasons); the same client_id again answers the first result, with other codes 409."""

    permission_classes = [Requires("delivery.read", write="delivery.manage")]

    def _round(self, request, pk) -> Round:
        rounds = selectors.rounds_for(request.user)
        if Role.COURIER in request.user.roles and not request.user.is_superuser:
            rounds = selectors.own_rounds(request.user)
        return get_object_or_404(rounds, pk=pk)

    @extend_schema(responses=LoadRead)
    def get(self, request, pk):
        the_round = self._round(request, pk)
        return Response(LoadRead(selectors.round_load(request.user, the_round)).data)

    @extend_schema(request=LoadWrite, responses=LoadResult)
    def post(self, request, pk):
        the_round = self._round(request, pk)
        body = LoadWrite(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            answer = services.round_load(actor=request.user, the_round=the_round,
                                         scanned=body.validated_data["codes"],
                                         client_id=body.validated_data["client_id"])
        except services.LoadConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for another load."), status.HTTP_409_CONFLICT)
        except Round.DoesNotExist:
            raise NotFound from None
        return Response(answer)
