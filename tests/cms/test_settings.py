"""Configuration errors are reported on one line naming the variable at fault."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


def _run(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "ELASTICSEARCH_URL",
            "SECRET_KEY",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update({"DJANGO_SETTINGS_MODULE": settings_module, "PYTHONPATH": str(ROOT), **env})
    return subprocess.run(  # noqa: S603 — fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ALLOWED_HOSTS": "carrefour.example.org"}, "SECRET_KEY manquante"),
        (
            {"SECRET_KEY": "django-insecure-short", "ALLOWED_HOSTS": "carrefour.example.org"},
            "SECRET_KEY trop faible",
        ),
        (
            {"SECRET_KEY": GOOD_KEY, "DEBUG": "true", "ALLOWED_HOSTS": "carrefour.example.org"},
            "DEBUG est activé",
        ),
        (
            # 50 characters, 5 distinct: accepted by Django's own check (>= 5), not here.
            {"SECRET_KEY": "abcde" * 10, "ALLOWED_HOSTS": "carrefour.example.org"},
            "SECRET_KEY trop faible",
        ),
        (
            {"SECRET_KEY": GOOD_KEY[:49], "ALLOWED_HOSTS": "carrefour.example.org"},
            "SECRET_KEY trop faible",
        ),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS est vide"),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS est vide ou contient"),
    ],
)
def test_production_settings_refuse_insecure_configuration(env, expected):
    result = _run("cms.settings.production", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, no traceback
    assert expected in lines[0]


def test_production_settings_start_when_secure():
    result = _run(
        "cms.settings.production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="carrefour.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "pas-une-url"),
        ("DATABASE_URL", "postgres://user@host:notaport/db"),
        ("DATABASE_URL", "postgres://127.0.0.1:5432"),
        ("REDIS_URL", "redis//127.0.0.1"),
        ("REDIS_URL", "redis://:6379"),
        ("DEBUG", "peut-être"),
        ("SOCIALACCOUNT_PROVIDERS", "{pas du json"),
        ("SOCIALACCOUNT_PROVIDERS", "[1, 2]"),
        ("TRUSTED_PROXY_COUNT", "deux"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("LOG_LEVEL", "bavard"),
    ],
)
def test_malformed_variables_are_named_in_a_one_line_error(variable, value):
    result = _run("cms.settings.dev", **{variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECURE_HSTS_SECONDS", "abc"),
        ("SECURE_HSTS_SECONDS", "-5"),
        ("SECURE_SSL_REDIRECT", "parfois"),
        ("DATABASE_POOL_MAX", "dix"),
        ("DATABASE_POOL", "parfois"),
    ],
)
def test_malformed_production_variables_are_named_in_a_one_line_error(variable, value):
    result = _run(
        "cms.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="carrefour.example.org",
        # Parsed, never connected to: the pool's variables apply to PostgreSQL only.
        DATABASE_URL="postgres://carrefour@127.0.0.1:5432/carrefour",
        **{variable: value},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def test_typed_variables_are_read_with_their_type(monkeypatch):
    from core.env import int_var, json_var

    monkeypatch.setenv("CARREFOUR_TEST_INT", " 3600 ")
    monkeypatch.setenv("CARREFOUR_TEST_JSON", '{"github": {"APP": {"client_id": "x"}}}')
    assert int_var("CARREFOUR_TEST_INT", default=1) == 3600
    assert json_var("CARREFOUR_TEST_JSON", default={})["github"]["APP"]["client_id"] == "x"
    assert int_var("CARREFOUR_TEST_UNSET", default=7) == 7
