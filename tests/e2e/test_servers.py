"""Real servers on real ports: the `make run` stack and gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"server exited early ({process.returncode}):\n{output}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting up
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds}s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


@pytest.fixture
def server_env(tmp_path):
    """The environment a newcomer has: no Redis, an SQLite file, default secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "APP_TEST"))}
    env.pop("REDIS_URL", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/e2e.sqlite"
    env["INSTANCE_PATH"] = str(tmp_path / "instance")  # demo credentials stay out of the repo
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _flask(env, *args):
    result = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_make_run_stack_serves_docs_a_demo_login_and_the_walkthrough(server_env):
    _flask(server_env, "db", "upgrade")
    seeded = _flask(server_env, "demo", "seed")
    assert "province admin" in seeded
    port, wechat_port = _free_port(), _free_port()
    process = subprocess.Popen(  # noqa: S603
        [str(BIN / "flask"), "dev", "up", "--port", str(port), "--wechat-port", str(wechat_port)],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/healthz", process)
        assert requests.get(base + "/api/docs", timeout=5).status_code == 200
        assert (
            requests.get(base + "/readyz", timeout=5).json()["checks"]["redis"] == "not_configured"
        )
        login = requests.post(
            base + "/api/v1/auth/wechat/login", json={"code": "demo-alice.e2e"}, timeout=5
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        me = requests.get(
            base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert me.json()["id"] == login.json()["volunteer"]["id"]
        day = _flask(server_env, "demo", "walkthrough", "--base-url", base)
        assert "status: fulfilled" in day, day
        assert "walkthrough complete" in day, day
    finally:
        _stop(process)
    with pytest.raises(requests.ConnectionError):  # the stand-in stopped with the API
        requests.get(f"http://127.0.0.1:{wechat_port}/__standin/stats", timeout=5)


def test_gunicorn_serves_the_wsgi_app(server_env):
    _flask(server_env, "db", "upgrade")
    port = _free_port()
    server_env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    server_env["GUNICORN_WORKERS"] = "2"
    process = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "wsgi:app"],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/readyz", process)
        missing = requests.get(f"http://127.0.0.1:{port}/nope", timeout=5)
        assert missing.status_code == 404
        assert missing.json()["code"] == "NOT_FOUND"
    finally:
        _stop(process)
