"""Configuration: config.toml validates, a bad file stops start-up naming the key and the problem, and the
environment overrides what a deployment must change."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from settings import DEFAULT_CONFIG, ROOT, ConfigError, load_settings

BASE = DEFAULT_CONFIG.read_text(encoding="utf-8")


def variant(tmp_path, old: str, new: str, name: str = "bad.toml"):
    assert BASE.count(old) == 1, old
    path = tmp_path / name
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(ConfigError) as e:
        load_settings(path, env={})
    return str(e.value)


def test_the_repository_config_is_valid_and_describes_the_office():
    s = load_settings(env={})
    assert (s.office.code, s.office.name, s.office.timezone) == (
        "1600",
        "BPS Provinsi Sumatera Selatan",
        "Asia/Jakarta",
    )
    assert s.office.service_limit_minutes == 10
    names = {x.name for x in s.services}
    assert {"Penjualan Produk Statistik", "Konsultasi Statistik"} <= names
    assert all(c.services for c in s.counters)
    assert s.office.complaints.email == "bps1600@bps.go.id" and s.office.complaints.whatsapp
    assert s.app.always_open is False


@pytest.mark.parametrize(
    "old,new,key,problem",
    [
        ('short_name = "BPS Sumsel"', 'short_name = "BPS Sumsel"\ncolour = "blue"', "office.colour", "unknown key"),
        ("[office.complaints]", "[office.complaint]", "office.complaint", "unknown key"),
        (
            'default_language = "id"',
            'default_language = "id"\nrecals_before_no_show = 3',
            "app.recals_before_no_show",
            "unknown key",
        ),
        (
            'timezone = "Asia/Jakarta"',
            'timezone = "Asia/Palembang"',
            "office.timezone",
            "unknown time zone 'Asia/Palembang'",
        ),
        ('prefix = "K"', 'prefix = "B"', "services.prefix", "duplicate value(s) ['B']"),
        ('code = "konsultasi"', 'code = "penjualan"', "services.code", "duplicate value(s) ['penjualan']"),
        (
            'services = ["penjualan", "konsultasi"]',
            'services = ["penjualan", "pajak"]',
            "counters[0].services",
            "unknown service code(s) ['pajak']",
        ),
        ("number = 2", "number = 1", "counters.number", "duplicate value(s) [1]"),
        (
            '1 = ["08:00", "15:30"]',
            '1 = ["15:30", "08:00"]',
            "office.hours",
            "day 1: closing time 08:00 is not after opening time 15:30",
        ),
        ('1 = ["08:00", "15:30"]', '8 = ["08:00", "15:30"]', "office.hours", "day '8' must be an ISO weekday 1..7"),
        ('1 = ["08:00", "15:30"]', '1 = ["8:00", "15:30"]', "office.hours", 'expected ["HH:MM", "HH:MM"]'),
        ('1 = ["08:00", "15:30"]', '1 = ["08:00", "25:00"]', "office.hours", 'expected ["HH:MM", "HH:MM"]'),
        (
            "service_limit_minutes = 10",
            'service_limit_minutes = "sepuluh"',
            "office.service_limit_minutes",
            "valid integer",
        ),
        (
            "service_limit_minutes = 10",
            "service_limit_minutes = 0",
            "office.service_limit_minutes",
            "greater than or equal to 1",
        ),
        ('code = "1600"', 'code = "16"', "office.code", "should match pattern"),
        ('prefix = "B"', 'prefix = "b1"', "services.0.prefix", "should match pattern"),
        (
            "recalls_before_no_show = 2",
            "recalls_before_no_show = -1",
            "app.recalls_before_no_show",
            "greater than or equal to 0",
        ),
        ('default_language = "id"', 'default_language = "jv"', "app.default_language", "must be 'id' or 'en'"),
        (
            "visit_identity_days = 365",
            "visit_identity_days = 0",
            "privacy.visit_identity_days",
            "greater than or equal to 1",
        ),
        ("access_log_days = 730", "access_log_days = 7", "privacy.access_log_days", "greater than or equal to 30"),
        ("purge_hour = 2", "purge_hour = 24", "privacy.purge_hour", "less than or equal to 23"),
        ("purge_hour = 2", "purge_hours = 2", "privacy.purge_hours", "unknown key"),
    ],
)
def test_a_bad_config_names_the_key_and_the_problem(tmp_path, old, new, key, problem):
    message = error_of(variant(tmp_path, old, new))
    assert message.startswith(f"Invalid configuration in {tmp_path / 'bad.toml'}:")
    lines = [ln for ln in message.splitlines()[1:] if key in ln]
    assert lines, message
    assert any(problem in ln for ln in lines), message


def test_a_file_that_is_not_toml_or_missing_is_reported(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[office\ncode = "1600"\n', encoding="utf-8")
    assert "not valid TOML" in error_of(path)
    assert "Configuration file not found" in error_of(tmp_path / "absent.toml")


def test_sections_that_must_exist(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("[app]\n", encoding="utf-8")
    message = error_of(path)
    for key in ("office", "services", "counters"):
        assert f"  - {key}: Field required" in message, message


def test_environment_overrides(tmp_path):
    path = variant(tmp_path, 'name = "Loket 1"', 'name = "Loket Satu"', "deploy.toml")
    env = {
        "LOKET_CONFIG": str(path),
        "LOKET_DATABASE_URL": "postgresql+psycopg://loket@db.local/loket",
        "LOKET_SECRET_KEY": "s3cret-key-from-env",
        "LOKET_MESSAGE_QUEUE": "redis://127.0.0.1:6379/3",
        "LOKET_ALWAYS_OPEN": "true",
        "LOKET_PUBLIC_URL": "http://pst.bps1600.local",
    }
    s = load_settings(env=env)
    assert s.counters[0].name == "Loket Satu"  # LOKET_CONFIG chose the file
    assert s.database_url == env["LOKET_DATABASE_URL"]
    assert s.secret_key == env["LOKET_SECRET_KEY"]
    assert s.message_queue == env["LOKET_MESSAGE_QUEUE"]
    assert s.app.always_open is True and s.app.public_url == "http://pst.bps1600.local"
    # Without the variables, the file's values (and defaults) stand.
    plain = load_settings(path, env={})
    assert (plain.database_url, plain.secret_key, plain.message_queue, plain.app.always_open) == ("", "", "", False)
    assert load_settings(path, env={"LOKET_ALWAYS_OPEN": "no"}).app.always_open is False


def test_the_app_uses_the_overridden_database_and_secret(tmp_path):
    from app import create_app

    url = f"sqlite:///{tmp_path / 'env.db'}"
    s = load_settings(env={"LOKET_DATABASE_URL": url, "LOKET_SECRET_KEY": "from-the-environment"})
    app = create_app({"TESTING": True}, settings=s)
    try:
        assert app.extensions["loket.db"].url == url
        assert app.config["SECRET_KEY"] == "from-the-environment"
    finally:
        app.extensions["loket.db"].dispose()


@pytest.mark.parametrize("command", [["app.py"], ["manage.py", "db-upgrade"]])
def test_start_up_stops_on_a_bad_config_with_the_message(tmp_path, command):
    bad = variant(tmp_path, 'timezone = "Asia/Jakarta"', 'timezone = "WIB"')
    env = {
        **os.environ,
        "LOKET_CONFIG": str(bad),
        "LOKET_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
        "LOKET_PORT": "1",
    }
    proc = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "office.timezone: unknown time zone 'WIB'" in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "never.db").exists()
