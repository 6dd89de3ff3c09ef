from pathlib import Path

import pytest

from swe_runner.config import load_settings
from swe_runner.errors import ConfigError


def test_layers_apply_in_order_defaults_file_env_flags(tmp_path: Path) -> None:
    config = tmp_path / "swe-runner.toml"
    config.write_text('[swe-runner]\nworkers = 3\nbase_source = "pull"\nmem_limit = "2g"\n')
    env = {"SWE_RUNNER_WORKERS": "5", "SWE_RUNNER_BASE_SOURCE": "bootstrap", "OTHER": "x"}
    settings = load_settings(config, {"workers": 7, "base_source": None}, environ=env)
    assert settings.workers == 7  # flag beats env beats file
    assert settings.base_source == "bootstrap"  # unset flag leaves env in charge
    assert settings.mem_limit == "2g"  # file beats default
    assert settings.debian_mirror == "http://deb.debian.org/debian"  # default


def test_bad_value_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'workers'"):
        load_settings(None, {}, environ={"SWE_RUNNER_WORKERS": "zero"})


def test_unknown_key_in_config_file_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("wrokers = 2\n")
    with pytest.raises(ConfigError, match="wrokers"):
        load_settings(config, {}, environ={})
