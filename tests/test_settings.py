"""The API's settings: one declared table, resolved config > environment > default, documented in the README."""

from pathlib import Path

import pytest

from kg.settings import SETTINGS, markdown_table, resolve
from kg.errors import ConfigError

README = Path(__file__).parents[1] / "README.md"


def test_the_readme_documents_every_setting():
    assert markdown_table() in README.read_text(encoding="utf-8")


def test_defaults_apply_without_config_or_environment():
    values = resolve({}, environ={})
    assert {setting.name: values[setting.name] for setting in SETTINGS} == \
        {setting.name: setting.default for setting in SETTINGS}


def test_environment_overrides_default_and_config_overrides_environment():
    environ = {"SAHEL_KG_ROW_LIMIT": "50", "SAHEL_KG_QUERY_TIMEOUT": "3.5"}
    assert resolve({}, environ=environ)["ROW_LIMIT"] == 50
    assert resolve({}, environ=environ)["QUERY_TIMEOUT"] == 3.5
    assert resolve({"ROW_LIMIT": 7}, environ=environ)["ROW_LIMIT"] == 7


@pytest.mark.parametrize("raw, expected", [("true", True), ("1", True), ("off", False), ("", False)])
def test_booleans_are_read_from_text(raw, expected):
    assert resolve({}, environ={"SAHEL_KG_UPDATES_ENABLED": raw})["UPDATES_ENABLED"] is expected


def test_lists_split_on_spaces_and_commas():
    environ = {"SAHEL_KG_SERVICE_ALLOWLIST": "https://a.example/sparql, https://b.example/sparql"}
    assert resolve({}, environ=environ)["SERVICE_ALLOWLIST"] == ("https://a.example/sparql",
                                                                  "https://b.example/sparql")


@pytest.mark.parametrize("config, message", [
    ({"ROW_LIMT": 5}, "unknown setting"),
    ({"ROW_LIMIT": "many"}, "ROW_LIMIT"),
    ({"UPDATES_ENABLED": "perhaps"}, "UPDATES_ENABLED"),
])
def test_bad_settings_are_refused_with_their_name(config, message):
    with pytest.raises(ConfigError, match=message):
        resolve(config, environ={})


def test_updates_without_a_token_refuse_to_start():
    from api import create_app

    with pytest.raises(ConfigError, match="UPDATE_TOKEN"):
        create_app({"STORE": "memory:", "UPDATES_ENABLED": True})
