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


def test_a_misspelled_variable_stops_with_the_setting_it_meant() -> None:
    """``SWE_RUNNER_WORKER=4`` ran with 1 worker: a misspelled key in the file already
    stopped, the variable was ignored (issue 27 item 13)."""
    with pytest.raises(ConfigError, match=r"SWE_RUNNER_WORKER: .*did you mean SWE_RUNNER_WORKERS"):
        load_settings(None, {}, environ={"SWE_RUNNER_WORKER": "4"})


def test_variables_that_are_no_setting_but_ours_are_left_alone() -> None:
    env = {"SWE_RUNNER_OWNER": "me", "SWE_RUNNER_RECORD_FILE": "/x", "SWE_RUNNER_WORKERS": "3"}
    assert load_settings(None, {}, environ=env).workers == 3


def test_the_readme_lists_every_setting_the_config_error_names() -> None:
    """The config error listed `debian_suite`, the README's key list did not (issue 27
    item 19)."""
    from swe_runner.config import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    keys = readme[readme.index("Keys: `results_dir`") :].split("\n\n")[0]
    assert [k for k in Settings.model_fields if f"`{k}`" not in keys] == []
