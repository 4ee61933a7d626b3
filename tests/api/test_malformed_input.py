"""No input, however malformed, gets a 5xx: every /api/v1 route against random JSON.

Routes are read from the app itself, so endpoints added later are fuzzed without edits here.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
FIELD_NAMES = [
    "code",
    "username",
    "password",
    "nickname",
    "real_name",
    "region_code",
    "volunteer_id",
    "amount",
    "reason",
    "perk_id",
    "scene",
    "lat",
    "lng",
    "accuracy_m",
    "minutes",
    "name",
]
bodies = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=5),
)
raw_bodies = st.one_of(
    st.binary(max_size=60),
    st.text(max_size=60).map(lambda t: t.encode("utf-8")),
)
# What a client can put in a header line: printable ASCII, no CR/LF.
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
path_values = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**70).map(str),
    st.text(alphabet="abcXYZ09-_%.~", min_size=1, max_size=20),
)
queries = st.dictionaries(
    st.sampled_from(
        [
            "limit",
            "cursor",
            "lat",
            "lng",
            "radius_m",
            "from",
            "to",
            "month",
            "status",
            "region_code",
            "affordable",
        ]
    ),
    st.text(max_size=15),
    max_size=3,
)


def _routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule))
    return routes


def _fill(rule: str, value: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", value, rule)


@pytest.fixture
def fuzz_client(app_factory, login_volunteer, make_staff):
    app = app_factory(
        STAFF_LOGIN_RATE_LIMIT="100000 per minute",
        STAFF_LOGIN_PER_USER_RATE_LIMIT="100000 per minute",
        WECHAT_LOGIN_RATE_LIMIT="100000 per minute",
    )
    return app, app.test_client()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_route_answers_5xx_to_malformed_json(fuzz_client, login_volunteer, make_staff, data):
    app, client = fuzz_client
    method, rule = data.draw(st.sampled_from(_routes(app)))
    path = _fill(rule, data.draw(path_values))
    auth = data.draw(st.sampled_from(["none", "garbage", "volunteer", "staff"]))
    headers = {
        "none": {},
        "garbage": {"Authorization": "Bearer " + data.draw(header_text)},
        "volunteer": _cached(app, "volunteer", lambda: login_volunteer("fuzzer")["headers"]),
        "staff": _cached(app, "staff", lambda: make_staff("province_admin", "330000")),
    }[auth]
    headers = {
        k: v.encode("utf-8", "replace").decode("latin-1", "replace") for k, v in headers.items()
    }
    if data.draw(st.booleans()):
        response = client.open(
            path,
            method=method,
            json=data.draw(bodies),
            headers=headers,
            query_string=data.draw(queries),
        )
    else:
        response = client.open(
            path,
            method=method,
            data=data.draw(raw_bodies),
            headers=headers,
            content_type="application/json",
            query_string=data.draw(queries),
        )
    assert response.status_code < 500, (method, path, response.get_data(as_text=True))
    if response.status_code >= 400:
        assert "code" in response.get_json()


def _cached(app, key, make):
    store = app.extensions.setdefault("fuzz_headers", {})
    if key not in store:
        store[key] = make()
    return store[key]
