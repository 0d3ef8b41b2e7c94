"""The map of a round on its page: the station and the stops on a plane (longitude scaled by
the cosine of the latitude, which is true enough over a county), drawn as an inline SVG by
the template: no tiles, no online service. This module only computes the points."""

from __future__ import annotations

import math

from ranan.delivery import services
from ranan.delivery.choices import OPEN_STATES
from ranan.delivery.models import Order, Round, VillageRound

MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 640, 420, 44
KM_PER_DEGREE = 111.2
# The scale bar shows a round number of km, about a fifth of the width.
BAR_KMS = (1, 2, 5, 10, 20, 50, 100)
ONE_PLACE_SCALE = 2000.0  # pixels per unit of the plane when there is a single place


def route_map(the_round: Round, stops: list[Order]) -> dict | None:
    """Points of an inline SVG: the station, one dot per place with the stop numbers there,
    the line through the stops in their order (from and back to the station), a scale.
    None when neither the station nor any stop has a position."""
    depot = _point(services.service_of(the_round.station))
    where = _locator(the_round)
    located = [(n, stop, where(stop.customer)) for n, stop in enumerate(stops, start=1)]
    missing = [stop for _n, stop, point in located if point is None]
    located = [(n, stop, point) for n, stop, point in located if point is not None]
    points = [p for _n, _s, p in located] + ([depot] if depot else [])
    if not points:
        return None
    frame = _Frame(points)
    line = [frame.xy(p) for _n, _s, p in located]
    if depot:
        line = [frame.xy(depot), *line, frame.xy(depot)]
    km_per_px = KM_PER_DEGREE / frame.scale
    bar_km = next((k for k in BAR_KMS if k / km_per_px >= MAP_WIDTH / 8), BAR_KMS[-1])
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT, "station": _station(frame, depot),
            "bar_y": MAP_HEIGHT - 16, "bar_label_y": MAP_HEIGHT - 22,
            "places": _places(frame, located),
            "line": " ".join(f"{x},{y}" for x, y in line),
            "planned": the_round.planned_at is not None,
            "missing": missing, "bar_km": bar_km, "bar_end": round(16 + bar_km / km_per_px, 1)}


def _point(row) -> tuple[float, float] | None:
    """(latitude, longitude) of a row that has both, else None."""
    if row is None or row.latitude is None or row.longitude is None:
        return None
    return float(row.latitude), float(row.longitude)


def _locator(the_round: Round):
    """customer → its own position, else its village's (from the station's village cycles),
    else None."""
    villages = {v.village_id: v for v in VillageRound.objects.filter(station=the_round.station)}

    def where(customer) -> tuple[float, float] | None:
        return _point(customer) or _point(villages.get(customer.jurisdiction_id))

    return where


class _Frame:
    """Positions → pixels: the plane's bounding box of all the points, scaled to fit inside
    the padding (keeping proportions) and centred."""

    def __init__(self, points: list[tuple[float, float]]):
        lat0 = sum(p[0] for p in points) / len(points)
        self.squeeze = math.cos(math.radians(lat0))
        xs = [self.plane(p)[0] for p in points]
        ys = [self.plane(p)[1] for p in points]
        self.min_x, self.min_y = min(xs), min(ys)
        span_x, span_y = max(xs) - self.min_x, max(ys) - self.min_y
        inner_w, inner_h = MAP_WIDTH - 2 * MAP_PAD, MAP_HEIGHT - 2 * MAP_PAD
        scale = min(inner_w / span_x if span_x else math.inf,
                    inner_h / span_y if span_y else math.inf)
        self.scale = ONE_PLACE_SCALE if scale == math.inf else scale  # one place: any scale
        self.off_x = MAP_PAD + (inner_w - span_x * self.scale) / 2
        self.off_y = MAP_PAD + (inner_h - span_y * self.scale) / 2

    def plane(self, p: tuple[float, float]) -> tuple[float, float]:
        return p[1] * self.squeeze, -p[0]

    def xy(self, p: tuple[float, float]) -> tuple[float, float]:
        x, y = self.plane(p)
        return (round(self.off_x + (x - self.min_x) * self.scale, 1),
                round(self.off_y + (y - self.min_y) * self.scale, 1))


def _places(frame: _Frame, located: list[tuple[int, Order, tuple[float, float]]]) -> list[dict]:
    """One dot per position with the numbers of the stops there (open if any of them is),
    named after the first stop's village."""
    places: dict[tuple, dict] = {}
    for n, stop, point in located:
        x, y = frame.xy(point)
        place = places.setdefault(point, {"x": x, "y": y, "numbers": [],
                                          "name": stop.customer.jurisdiction.name,
                                          "open": False})
        place["numbers"].append(n)
        place["open"] = place["open"] or stop.state in OPEN_STATES
    for place in places.values():
        place["label"] = _numbers_label(place["numbers"])
        place["name_y"] = round(place["y"] - 20, 1)
    return list(places.values())


def _station(frame: _Frame, depot: tuple[float, float] | None) -> dict | None:
    """The station's square and label, when it has a position."""
    if not depot:
        return None
    x, y = frame.xy(depot)
    return {"x": x, "y": y, "box_x": round(x - 9, 1), "box_y": round(y - 9, 1),
            "label_y": round(y + 26, 1)}


def _numbers_label(numbers: list[int]) -> str:
    """A run of three or more stop numbers as "3–5", any other numbers as "3,7"."""
    numbers = sorted(numbers)
    if len(numbers) > 2 and numbers[-1] - numbers[0] == len(numbers) - 1:
        return f"{numbers[0]}–{numbers[-1]}"
    return ",".join(str(n) for n in numbers)
