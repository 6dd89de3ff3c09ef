"""``--env`` secrets: parsing, and masking in what a run records."""

from __future__ import annotations

import pytest

from swe_runner.errors import InputError
from swe_runner.secret_env import Secrets


def test_a_bare_name_is_read_from_the_environment_and_an_assignment_taken_as_given() -> None:
    secrets = Secrets.parse(["TOKEN", "OTHER=value-2"], {"TOKEN": "value-1", "PATH": "/bin"})
    assert secrets.given == {"TOKEN": "value-1", "OTHER": "value-2"}
    assert secrets.redact("a value-1 b value-2 c /bin") == (
        "a [secret TOKEN] b [secret OTHER] c /bin"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("MISSING", "MISSING is not set"),
        ("1BAD=abcdefgh", "not a variable name"),
        ("=abcdefgh", "not a variable name"),
        ("SHORT=abc", "too short"),
    ],
)
def test_bad_specs_are_clear_errors(spec: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        Secrets.parse([spec], {})


def test_the_anthropic_credentials_are_always_masked_but_not_given() -> None:
    secrets = Secrets.parse([], {"ANTHROPIC_API_KEY": "sk-ant-123456", "HOME": "/root"})
    assert secrets.given == {}
    assert secrets.redact("key=sk-ant-123456 home=/root") == (
        "key=[secret ANTHROPIC_API_KEY] home=/root"
    )
    assert not Secrets.parse([], {})


def test_the_openai_key_and_the_api_key_env_variable_are_masked_too() -> None:
    environ = {"OPENAI_API_KEY": "sk-openai-1234", "MY_GEMINI_KEY": "AIza-98765", "X": "AIza-1"}
    secrets = Secrets.parse([], environ, credentials=("MY_GEMINI_KEY",))
    assert secrets.given == {}
    assert secrets.redact("sk-openai-1234 AIza-98765 AIza-1") == (
        "[secret OPENAI_API_KEY] [secret MY_GEMINI_KEY] AIza-1"
    )


def test_a_secret_containing_another_is_masked_whole() -> None:
    secrets = Secrets.parse(["A=abcdef", "B=xxabcdefxx"], {})
    assert secrets.redact("xxabcdefxx abcdef") == "[secret B] [secret A]"


def test_nested_data_is_masked_in_every_string_and_keeps_its_shape() -> None:
    secrets = Secrets.parse(["T=hunter22"], {})
    data = {"a": ["x hunter22", {"b": "hunter22"}], "n": 3, "none": None, "ok": True}
    assert secrets.redact_data(data) == {
        "a": ["x [secret T]", {"b": "[secret T]"}],
        "n": 3,
        "none": None,
        "ok": True,
    }
