"""The first run: links on the address `make run` serves on, a development bank details key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.conftest import TEST_SECRET_KEY, base_config
from volunteer_hub import ConfigError, create_app
from volunteer_hub.config import INSTANCE_BANK_KEY_FILE, load_config


def test_development_links_use_the_port_make_run_serves_on() -> None:
    # `make run PORT=5077` passes HOST and PORT to flask run as FLASK_RUN_HOST/FLASK_RUN_PORT.
    config = load_config(environ={"FLASK_RUN_HOST": "127.0.0.1", "FLASK_RUN_PORT": "5077"})
    assert config["BASE_URL"] == "http://127.0.0.1:5077"


def test_development_links_default_to_flask_runs_own_address() -> None:
    assert load_config(environ={})["BASE_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0.0.0.0", "http://127.0.0.1:8080"),  # noqa: S104
        ("localhost", "http://localhost:8080"),
        ("::1", "http://[::1]:8080"),
    ],
)
def test_development_links_name_a_reachable_host(host: str, expected: str) -> None:
    config = load_config(environ={"FLASK_RUN_HOST": host, "FLASK_RUN_PORT": "8080"})
    assert config["BASE_URL"] == expected


def test_a_configured_base_url_wins_over_the_run_address() -> None:
    env = {"BASE_URL": "https://hub.example.org", "FLASK_RUN_PORT": "5077"}
    assert load_config(environ=env)["BASE_URL"] == "https://hub.example.org"


def test_a_port_that_is_not_a_number_refuses_to_start() -> None:
    with pytest.raises(ConfigError, match="FLASK_RUN_PORT"):
        load_config(environ={"FLASK_RUN_PORT": "50x"})


def test_production_refuses_to_start_without_base_url() -> None:
    env = {"FLASK_ENV": "production", "SECRET_KEY": TEST_SECRET_KEY, "FLASK_RUN_PORT": "5077"}
    with pytest.raises(ConfigError, match="BASE_URL is missing") as raised:
        load_config(environ=env)
    assert "\n" not in str(raised.value)
    config = load_config(environ={**env, "BASE_URL": "https://hub.example.org"})
    assert config["BASE_URL"] == "https://hub.example.org"


# The development bank details key ------------------------------------------------------------


def _development(tmp_path: Path, **overrides: object) -> dict[str, object]:
    return {
        **base_config(f"sqlite:///{tmp_path / 'x.db'}"),
        "TESTING": False,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        **overrides,
    }


def test_development_makes_a_bank_details_key_once_in_the_instance_folder(
    tmp_path: Path,
) -> None:
    first = create_app(_development(tmp_path))
    key_file = tmp_path / "instance" / INSTANCE_BANK_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert first.config["BANK_DETAILS_KEYS"] == key
    Fernet(key)  # a usable key
    assert create_app(_development(tmp_path)).config["BANK_DETAILS_KEYS"] == key


def test_a_configured_bank_details_key_is_used_and_none_is_made(tmp_path: Path) -> None:
    configured = Fernet.generate_key().decode()
    app = create_app(_development(tmp_path, BANK_DETAILS_KEYS=configured))
    assert app.config["BANK_DETAILS_KEYS"] == configured
    assert not (tmp_path / "instance" / INSTANCE_BANK_KEY_FILE).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"ENV": "production", "BASE_URL": "https://hub.example.org"},
        {"ENV": "testing"},
        {"TESTING": True},
    ],
)
def test_production_and_tests_get_no_bank_details_key_made(
    tmp_path: Path, overrides: dict[str, object]
) -> None:
    app = create_app(_development(tmp_path, **overrides))
    assert app.config["BANK_DETAILS_KEYS"] == ""
    assert not (tmp_path / "instance" / INSTANCE_BANK_KEY_FILE).exists()


def test_a_damaged_development_bank_key_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / INSTANCE_BANK_KEY_FILE).write_text("not a key\n")
    with pytest.raises(ConfigError, match="not hold a Fernet key"):
        create_app(_development(tmp_path))
