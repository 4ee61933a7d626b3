"""The Flask CLI: staff accounts and demo data."""

from sqlalchemy import select

from identity.models import Staff


def test_staff_create_makes_an_account_that_can_log_in(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "hz-admin",
            "--password",
            "pw-123456",
            "--role",
            "city_admin",
            "--region",
            "330100",
        ]
    )
    assert result.exit_code == 0, result.output
    response = client.post(
        "/api/v1/auth/staff/login", json={"username": "hz-admin", "password": "pw-123456"}
    )
    assert response.status_code == 200
    assert response.get_json()["staff"]["region_code"] == "330100"


def test_staff_create_refuses_a_role_at_the_wrong_level(app):
    result = app.test_cli_runner().invoke(
        args=[
            "staff",
            "create",
            "x",
            "--password",
            "p",
            "--role",
            "city_admin",
            "--region",
            "330106",
        ]
    )
    assert result.exit_code != 0
    assert "市级" in result.output


def test_staff_create_refuses_a_taken_username(app):
    runner = app.test_cli_runner()
    args = ["staff", "create", "dup", "--password", "p", "--role", "auditor", "--region", "330000"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "已存在" in again.output


def test_demo_seed_prints_the_admin_password_and_can_run_twice(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--password", "demo-pass-1"])
    assert first.exit_code == 0, first.output
    assert "demo-pass-1" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    admins = session.scalars(select(Staff).filter_by(username="admin")).all()
    assert len(admins) == 1
    assert admins[0].roles == ["province_admin"]
    assert admins[0].region_code == "330000"
