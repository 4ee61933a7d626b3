"""``flask dev up``: the WeChat stand-in and the API side by side, for ``make run``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from app.demo import read_demo_credentials


@click.group("dev", help="Local development servers.")
def dev_cli():
    pass


@dev_cli.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--wechat-port", default=5001, show_default=True, type=int)
@with_appcontext
def up(host, port, wechat_port):
    """Start the WeChat stand-in, then serve the API pointed at it until interrupted."""
    wechat_url = f"http://{host}:{wechat_port}/"
    env = {**os.environ, "WECHAT_API_BASE_URL": wechat_url}
    # SIGTERM (a supervisor, `kill`) would end this process without running `finally`,
    # leaving the stand-in behind: turn it into a normal exit.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    standin = subprocess.Popen(  # noqa: S603  (our own module, fixed arguments)
        [sys.executable, "-m", "app.wechat_standin", "--host", host, "--port", str(wechat_port)],
        env=env,
    )
    try:
        _wait_until_up(wechat_url + "__standin/stats")
        os.environ["WECHAT_API_BASE_URL"] = wechat_url
        from app import create_app

        app = create_app()
        _print_banner(host, port, wechat_url)
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        standin.terminate()
        standin.wait(timeout=10)


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


def _wait_until_up(url: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310  (loopback URL we built)
                return
        except OSError:
            time.sleep(0.2)
    raise click.ClickException(f"the WeChat stand-in did not answer at {url}")


def _print_banner(host: str, port: int, wechat_url: str) -> None:
    base = f"http://{host}:{port}"
    credentials = read_demo_credentials(current_app.instance_path)
    lines = [
        "",
        f"  API            {base}   (health: {base}/healthz)",
        f"  API docs       {base}/api/docs   (OpenAPI: {base}/api/openapi.json)",
        f"  Staff console  {base}/console/   (the demo admin below signs in there)",
        f"  WeChat stand-in {wechat_url}",
        f"  Demo admin     {credentials or 'run `flask demo seed` first'}",
        "  Demo WeChat login (any code works once; same name before the dot = same volunteer):",
        f"    curl -s -X POST {base}/api/v1/auth/wechat/login -H 'Content-Type: application/json'"
        ' -d \'{"code": "demo-alice.1"}\'',
        "",
    ]
    click.echo("\n".join(lines))
