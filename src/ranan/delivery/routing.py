"""Ordering a round's stops to minimise travel, with OR-Tools (vehicle routing with time
windows and stop priorities).

Distances come from the station's own distance table where it has an entry (mountain roads
make straight lines wrong), else from the villages' coordinates: great-circle distance times
the station's road factor. Stops in the same village are 300 m apart. The route starts and
ends at the station; it must fit in the service hours; urgent and care households should be
reached in the first two hours (a soft limit: a penalty per minute late)."""

from __future__ import annotations

import math
from dataclasses import dataclass

SAME_VILLAGE_KM = 0.3
SERVICE_MINUTES = 10  # at each door: hand over, scan, check, payment
PRIORITY_WITHIN_MINUTES = 120


@dataclass
class Stop:
    key: object                 # the order (or anything the caller wants back)
    place: object               # the village id (stops in one place are near each other)
    lat: float | None
    lon: float | None
    priority: bool = False


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(h))


def matrix(depot: tuple[float, float], stops: list[Stop], road_factor: float,
           table: dict[tuple, float]) -> list[list[float]]:
    """km between node i and j; node 0 is the station (place None)."""
    places = [None] + [s.place for s in stops]
    points = [depot] + [(s.lat, s.lon) for s in stops]
    n = len(points)
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            a, b = places[i], places[j]
            if a is not None and a == b:
                out[i][j] = SAME_VILLAGE_KM
            elif (a, b) in table:
                out[i][j] = table[(a, b)]
            elif (b, a) in table:
                out[i][j] = table[(b, a)]
            elif None in (points[i][0], points[j][0]):
                out[i][j] = 50.0  # unknown place: far, so it is not squeezed in between
            else:
                out[i][j] = haversine_km(points[i], points[j]) * road_factor
    return out


def route_km(km: list[list[float]], order: list[int]) -> float:
    """Length of the tour station → order… → station (node indices, 1-based stops)."""
    path = [0, *order, 0]
    return sum(km[a][b] for a, b in zip(path, path[1:], strict=False))


def plan(km: list[list[float]], stops: list[Stop], speed_kmh: float, day_minutes: int,
         seconds: float = 1.0) -> list[int]:
    """The stops' order (node indices 1..n) for one vehicle from and back to the station."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(km)
    if n <= 2:
        return list(range(1, n))
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    metres = [[int(km[i][j] * 1000) for j in range(n)] for i in range(n)]

    def distance(i, j):
        return metres[manager.IndexToNode(i)][manager.IndexToNode(j)]

    transit = routing.RegisterTransitCallback(distance)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    minutes = [[(km[i][j] / max(speed_kmh, 1) * 60) + (SERVICE_MINUTES if j else 0)
                for j in range(n)] for i in range(n)]

    def travel(i, j):
        return int(round(minutes[manager.IndexToNode(i)][manager.IndexToNode(j)]))

    time_cb = routing.RegisterTransitCallback(travel)
    # A round longer than the service hours is still planned (the page says it runs late):
    # the day's end is a soft limit, 1 km of detour is worth less than a minute past closing.
    routing.AddDimension(time_cb, 0, 10 * day_minutes, True, "time")
    dimension = routing.GetDimensionOrDie("time")
    dimension.SetCumulVarSoftUpperBound(routing.End(0), day_minutes, 2000)
    for node, stop in enumerate(stops, start=1):
        if stop.priority:
            # Reached early: 100 m of extra driving is worth one minute sooner.
            dimension.SetCumulVarSoftUpperBound(manager.NodeToIndex(node),
                                                PRIORITY_WITHIN_MINUTES, 100)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:  # cannot happen with soft limits only; keep the order received
        return list(range(1, n))
    order = []
    index = routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node:
            order.append(node)
        index = solution.Value(routing.NextVar(index))
    return order
