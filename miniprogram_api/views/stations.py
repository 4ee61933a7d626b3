"""Stations near the volunteer, for the map and the list in the mini-program."""

from __future__ import annotations

from flask_smorest import Blueprint

from core import regions
from miniprogram_api.auth import volunteer_required
from miniprogram_api.extensions import db
from miniprogram_api.pagination import page
from miniprogram_api.schemas.stations import NearbyArgsSchema, NearbyPageSchema
from volunteering.stations import operations as stations

blp = Blueprint("stations", __name__, url_prefix="/api/v1/stations", description="Nearby stations")
BEARER = [{"bearerAuth": []}]


@blp.route("", methods=["GET"])
@volunteer_required
@blp.doc(security=BEARER)
@blp.arguments(NearbyArgsSchema, location="query")
@blp.response(200, NearbyPageSchema)
def nearby(args):
    """List active stations within ``radius_m`` of a GCJ-02 point, nearest first."""
    found = stations.nearby_stations(
        db.session, lat=args["lat"], lng=args["lng"], radius_m=args["radius_m"]
    )
    if args["after"] is not None:
        found = [(s, d) for s, d in found if (d, s.id) > args["after"]]
    items = [_with_distance(station, distance) for station, distance in found[: args["limit"] + 1]]
    return page(items, args["limit"], key=lambda item: {"d": item["_exact"], "id": item["id"]})


def _with_distance(station, distance: float) -> dict:
    fields = (
        "id",
        "name",
        "region_code",
        "address",
        "kind",
        "lat",
        "lng",
        "radius_m",
        "standards",
        "meets_all_standards",
    )
    item = {name: getattr(station, name) for name in fields}
    # Shown rounded; the exact value orders the pages.
    item.update(
        region_name=regions.get(station.region_code).full_name,
        distance_m=round(distance),
        _exact=distance,
    )
    return item
