"""``flask demo walkthrough``: a volunteer's day over real HTTP against a running server.

WeChat login (through the stand-in), check-in and check-out at a station, the admin's approval,
points, a perk reserved, and the merchant's staff binding and confirming the code. Each step is
printed in Chinese and English with the numbers it changed.
"""

from __future__ import annotations

import re
import uuid

import click
import requests
from flask import current_app

from app.demo import read_demo_credentials

TIMEOUT = 10
CAFE = "西溪绿野咖啡"


class WalkthroughError(click.ClickException):
    """A step answered something the walkthrough cannot go on from."""


class Client:
    """A tiny JSON client that fails loudly with the server's own error body."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.http = requests.Session()

    def call(self, method, path, token=None, expect=(200, 201), **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.http.request(
            method, self.base + path, headers=headers, timeout=TIMEOUT, **kwargs
        )
        body = response.json() if response.content else None
        if response.status_code not in expect:
            raise WalkthroughError(f"{method} {path} → {response.status_code} {body}")
        return response.status_code, body


def step(number: int, zh: str, en: str, **numbers) -> None:
    click.secho(f"\n[{number}] {zh}", bold=True)
    click.echo(f"    {en}")
    for name, value in numbers.items():
        click.echo(f"    · {name}: {value}")


@click.command("walkthrough")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--admin-password", default=None, help="Default: instance/demo-credentials.txt")
def walkthrough(base_url, admin_password):
    """Walk through a volunteer's day against the server at --base-url (run `make run` first)."""
    api = Client(base_url)
    try:
        api.call("GET", "/healthz")
    except requests.RequestException as error:
        raise WalkthroughError(
            f"no server at {base_url} ({error}); start it with `make run`"
        ) from None
    admin = _admin_token(api, admin_password)
    day = _Day(api, admin)
    day.run()


def _admin_token(api: Client, password: str | None) -> str:
    if password is None:
        credentials = read_demo_credentials(current_app.instance_path) or ""
        found = re.search(r"username (\S+)\s+password (\S+)", credentials)
        if not found:
            raise WalkthroughError("no demo credentials: run `flask demo seed` first")
        username, password = found.groups()
    else:
        username = "admin"
    _, body = api.call(
        "POST", "/api/v1/auth/staff/login", json={"username": username, "password": password}
    )
    return body["access_token"]


class _Day:
    def __init__(self, api: Client, admin: str) -> None:
        self.api = api
        self.admin = admin
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n

    def login(self, user: str) -> tuple[str, int]:
        # The stand-in maps the part before the dot to one openid, as WeChat maps a person.
        code = f"{user}.{uuid.uuid4().hex[:12]}"
        _, body = self.api.call("POST", "/api/v1/auth/wechat/login", json={"code": code})
        return body["access_token"], body["volunteer"]["id"]

    def points(self, token: str) -> dict:
        return self.api.call("GET", "/api/v1/me", token)[1]["points"]

    def run(self) -> None:
        api = self.api
        walker = f"walker{uuid.uuid4().hex[:6]}"
        token, volunteer_id = self.login(walker)
        api.call("PATCH", "/api/v1/me", token, json={"nickname": "林小溪", "region_code": "330106"})
        before = self.points(token)
        step(
            self.next(),
            "志愿者用微信登录（经微信模拟服务），设置昵称和所在地区",
            "The volunteer signs in with WeChat (through the stand-in) and sets a region",
            volunteer_id=volunteer_id,
            balance=before["balance"],
        )

        earned = self.serve(token)
        if not earned:
            self.top_up(volunteer_id, 80)

        after_work = self.points(token)
        step(
            self.next(),
            "查看积分",
            "Points now",
            balance=after_work["balance"],
            available=after_work["available"],
            held=after_work["held"],
            expiring_soon=after_work.get("expiring_soon", {}).get("points"),
        )

        perk = self.pick_perk(token, after_work["available"])
        if perk is None:
            self.top_up(volunteer_id, 80 - after_work["available"])
            perk = self.pick_perk(token, 80)
        key = uuid.uuid4().hex
        _, reserved = api.call(
            "POST",
            "/api/v1/redemptions",
            token,
            json={"perk_id": perk["id"]},
            headers={"Idempotency-Key": key},
        )
        held = self.points(token)
        step(
            self.next(),
            f"兑换「{perk['title']}」（{perk['merchant']['name']}）：积分被冻结，库存扣减一份",
            "Reserve the perk: its points are held and one unit of stock set aside",
            code=reserved["code"],
            expires_at=reserved["expires_at"],
            points_held=reserved["points_held"],
            available=f"{after_work['available']} → {held['available']}",
            stock_left=f"{perk['stock_left']} → {perk['stock_left'] - 1}",
        )

        barista, barista_id = self.login(f"barista{uuid.uuid4().hex[:6]}")
        api.call("PATCH", "/api/v1/me", barista, json={"nickname": "咖啡店店员"})
        bind_code = self.bind_code(perk["merchant"]["id"])
        _, bound = api.call("POST", "/api/v1/merchant/bind", barista, json={"bind_code": bind_code})
        step(
            self.next(),
            "商家店员用管理员给的绑定码绑定自己的微信账号",
            "The merchant's staff binds their WeChat account with the admin's bind code",
            merchant=f"{bound['merchant']['name']} (#{bound['merchant']['id']})",
            staff_volunteer_id=barista_id,
        )

        _, done = api.call(
            "POST",
            "/api/v1/merchant/redemptions/confirm",
            barista,
            json={"code": reserved["code"]},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        final = self.points(token)
        _, summary = api.call("GET", "/api/v1/merchant/summary", barista)
        step(
            self.next(),
            "店员扫码核销：冻结的积分付给商家",
            "The staff confirms the code: the held points are paid to the merchant",
            status=done["status"],
            volunteer=done["volunteer"]["nickname_masked"],
            balance=f"{held['balance']} → {final['balance']}",
            held=f"{held['held']} → {final['held']}",
            merchant_this_month=f"{summary['fulfilled']} redemptions, {summary['points']} points",
        )
        _, again = api.call(
            "POST",
            "/api/v1/merchant/redemptions/confirm",
            barista,
            expect=(409,),
            json={"code": reserved["code"]},
        )
        step(
            self.next(),
            "同一兑换码再扫一次：被拒绝",
            "Scanning the same code again is refused",
            code=again["code"],
            message=again["message"],
        )
        click.secho("\n走完一天 · walkthrough complete", fg="green")

    def serve(self, token: str) -> bool:
        """Check in and out at a demo station; the admin approves a day's minutes."""
        api, admin = self.api, self.admin
        status, stations = api.call("GET", "/api/v1/admin/stations", admin, expect=(200, 404))
        if status == 404 or not stations.get("items"):
            step(self.next(), "（无签到站点，跳过签到）", "(no stations: skipping check-in)")
            return False
        # The volunteer lives in 西湖区: serve at a station there when the demo has one.
        station = next(
            (s for s in stations["items"] if s.get("region_code") == "330106"), stations["items"][0]
        )
        _, qr = api.call("GET", f"/api/v1/admin/stations/{station['id']}/qrcode", admin)
        where = {
            "scene": qr["scene"],
            "lat": station["lat"],
            "lng": station["lng"],
            "accuracy_m": 15,
        }
        _, opened = api.call("POST", "/api/v1/checkins", token, json=where)
        step(
            self.next(),
            f"扫「{station['name']}」的站点码签到",
            "Check in by scanning the station's QR code",
            session_id=opened["session_id"],
            checked_in_at=opened["checked_in_at"],
        )
        _, closed = api.call("POST", "/api/v1/checkouts", token, json=where)
        step(
            self.next(),
            "签退（演示中立即签退，时长不足，进入审核）",
            "Check out (at once, in a demo: too short, so it goes to review)",
            status=closed["status"],
            reasons=", ".join(
                closed.get("review_reasons_text") or closed.get("review_reasons") or []
            ),
        )
        if closed["status"] == "pending_review":
            _, approved = api.call(
                "POST",
                f"/api/v1/admin/sessions/{closed['session_id']}/approve",
                admin,
                json={"minutes": 480, "note": "演示：按一整天服务计"},
            )
            closed = approved
        step(
            self.next(),
            "管理员审核通过 8 小时服务，时长记入、积分发放（每日上限）",
            "The admin approves 8 hours: hours recorded, points minted (daily cap applies)",
            minutes=closed.get("minutes"),
            points_awarded=closed.get("points_awarded"),
        )
        return bool(closed.get("points_awarded"))

    def top_up(self, volunteer_id: int, amount: int) -> None:
        if amount <= 0:
            return
        _, entry = self.api.call(
            "POST",
            "/api/v1/admin/ledger/adjustments",
            self.admin,
            json={"volunteer_id": volunteer_id, "amount": amount, "reason": "演示补足积分"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        step(
            self.next(),
            "管理员调整积分（演示补足）",
            "An admin adjustment tops the points up (demo only)",
            amount=entry["amount"],
            balance_after=entry["balance_after"],
        )

    def pick_perk(self, token: str, available: int) -> dict | None:
        _, page = self.api.call(
            "GET", "/api/v1/perks?region_code=330106&affordable=true&limit=100", token
        )
        items = [p for p in page["items"] if p["stock_left"] > 0 and p["min_star_level"] == 0]
        step(
            self.next(),
            "浏览本地区可兑换的优待服务（积分够用的）",
            "Browse the perks of the volunteer's region that their points cover",
            available=available,
            perks=", ".join(f"{p['title']} {p['cost_points']}分" for p in items) or "—",
        )
        cafe = sorted(
            (p for p in items if p["merchant"]["name"] == CAFE), key=lambda p: -p["cost_points"]
        )
        return (cafe or items or [None])[0]

    def bind_code(self, merchant_id: int) -> str:
        _, merchant = self.api.call("GET", f"/api/v1/admin/merchants/{merchant_id}", self.admin)
        return merchant["bind_code"]
