"""Distances on GCJ-02 coordinates.

GCJ-02 shifts WGS-84 by a smooth offset of a few hundred metres that barely changes over a
geofence, so a great-circle distance between two GCJ-02 points is accurate to a metre or two at
the radii used here. Both sides (station and phone) must be GCJ-02; the API says so.
"""

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Return the great-circle (haversine) distance in metres."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi = phi2 - phi1
    dlmb = radians(lng2 - lng1)
    a = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """Return (min_lat, max_lat, min_lng, max_lng) enclosing a circle, for an index range scan."""
    dlat = radius_m / 111_320.0
    dlng = radius_m / (111_320.0 * max(cos(radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng
