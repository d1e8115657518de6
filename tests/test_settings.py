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
    ({"ROW_LIMT": 5}, r"unknown setting\(s\): ROW_LIMT \(did you mean ROW_LIMIT\?\)$"),
    ({"NOTHING_LIKE_IT": 5}, r"unknown setting\(s\): NOTHING_LIKE_IT$"),
    # an empty key was named as nothing ("unknown setting(s): "), and a key that is no string raised AttributeError
    ({"": 5, "ROW_LIMT": 5}, r"unknown setting\(s\): '', ROW_LIMT \(did you mean ROW_LIMIT\?\)$"),
    ({5: 5, " ": 1, "row_limit": 2}, r"unknown setting\(s\): ' ', row_limit \(did you mean ROW_LIMIT\?\), 5$"),
    ({"ROW_LIMIT": "many"}, "ROW_LIMIT"),
    ({"UPDATES_ENABLED": "perhaps"}, "UPDATES_ENABLED"),
])
def test_bad_settings_are_refused_with_their_name(config, message):
    with pytest.raises(ConfigError, match=message):
        resolve(config, environ={})


@pytest.mark.parametrize("name", ["CORS_ORIGINS", "CACHE_CONTROL", "SERVICE_CONTACT"])
@pytest.mark.parametrize("raw", ["a\r\nX-Evil: 1", "a\nb", "caf\u00e9", "a\x00b", "a\x1bb"])
def test_a_header_setting_that_no_header_can_carry_is_refused_with_its_name(name, raw):
    """They go into response headers (User-Agent for SERVICE_CONTACT): CORS_ORIGINS with a newline started a
    server whose every answer was a bare 500 from granian (werkzeug refuses the header)."""
    with pytest.raises(ConfigError, match=name):
        resolve({}, environ={f"SAHEL_KG_{name}": raw})
    kept = "https://a.example" if name == "CORS_ORIGINS" else "https://a.example, max-age=60"
    assert resolve({}, environ={f"SAHEL_KG_{name}": kept})[name] == kept


@pytest.mark.parametrize("raw", ["not a url", "query.wikidata.org/sparql", "ftp://a.example/q",
                                 "https://a.example/q>file:///etc/passwd", "https://a.example/q>", "<https://a.example/q>"])
def test_a_service_allowlist_entry_that_names_no_endpoint_is_refused(raw):
    """'not a url' was taken as three entries that no SERVICE could match: a typo went unnoticed."""
    with pytest.raises(ConfigError, match="SERVICE_ALLOWLIST"):
        resolve({}, environ={"SAHEL_KG_SERVICE_ALLOWLIST": raw})
    kept = "https://query.wikidata.org/sparql, http://b.example/q>http://127.0.0.1:9/q"
    assert resolve({}, environ={"SAHEL_KG_SERVICE_ALLOWLIST": kept})["SERVICE_ALLOWLIST"] == (
        "https://query.wikidata.org/sparql", "http://b.example/q>http://127.0.0.1:9/q")


def test_updates_without_a_token_refuse_to_start():
    from api import create_app

    with pytest.raises(ConfigError, match="UPDATE_TOKEN"):
        create_app({"STORE": "memory:", "UPDATES_ENABLED": True})


# --- numbers in the environment, read as strictly as request parameters --------------------------

NUMERIC = [setting for setting in SETTINGS if hasattr(setting.parse, "kind")]
BAD = ["nan", "inf", "-inf", "-1", "abc", "1e3", " 5", "5 ", "", "1_0", "\u0661\u0660", "0x10", "9" * 19, "+5"]


def bad_values(setting) -> list[str]:
    """Text no numeric setting takes, and 0 where 0 means nothing, a fraction where a count is wanted."""
    kind = setting.parse.kind
    return BAD + ([] if "from 0" in kind else ["0", "0.0"]) + (["2.5"] if "whole" in kind else [])


def test_every_number_of_the_service_is_declared_with_its_kind():
    numbers = {setting.name for setting in SETTINGS if isinstance(setting.default, (int, float))
               and not isinstance(setting.default, bool)}
    assert numbers == {setting.name for setting in NUMERIC} and len(numbers) == 25


@pytest.mark.parametrize("name, raw", [(setting.name, raw) for setting in NUMERIC for raw in bad_values(setting)])
def test_a_bad_number_in_the_environment_stops_create_app_naming_it(name, raw, monkeypatch):
    from api import create_app

    monkeypatch.setenv("SAHEL_KG_" + name, raw)
    with pytest.raises(ConfigError) as refused:
        create_app({"STORE": "memory:"})
    message = str(refused.value)
    assert f"setting {name} (from SAHEL_KG_{name}): must be " in message and repr(raw) in message
    assert "\n" not in message
    assert "whole number" in message or "(such as 30 or 2.5)" in message  # 1e3 is refused: say how to write it


@pytest.mark.parametrize("name", [setting.name for setting in NUMERIC])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1, True, "abc"])
def test_a_bad_number_in_the_config_stops_create_app(name, value):
    from api import create_app

    with pytest.raises(ConfigError, match=f"setting {name}: must be "):
        create_app({"STORE": "memory:", name: value})


@pytest.mark.parametrize("name, raw", [("SERVICE_CACHE_TTL", "0"), ("RESULT_CACHE_BYTES", "0"), ("QUEUE_SIZE", "0"),
                                       ("QUERY_BUDGET", "0"), ("QUERY_TIMEOUT", "2.5"), ("UPLOAD_TIMEOUT", ".5"),
                                       ("ROW_LIMIT", "1"), ("MAX_BODY_BYTES", "123456789"),
                                       ("RESULT_CACHE_MIN_SECONDS", "0"), ("BUDGET_WINDOW_SECONDS", "3600"),
                                       ("RESULT_CACHE_BYTES", "1000000000000000000")])  # the top, 10^18 (19 digits)
def test_numbers_in_their_range_are_taken(name, raw):
    expected = float(raw) if "." in raw else int(raw)
    assert resolve({}, environ={"SAHEL_KG_" + name: raw})[name] == expected


def kg_serve_with(variable: str, raw: str, tmp_path) -> "subprocess.CompletedProcess":
    import os
    import subprocess
    import sys

    from servers import free_port

    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update({"SAHEL_KG_HOME": str(tmp_path / "home"), variable: raw})
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store", "memory:",
                           "--port", str(free_port())], capture_output=True, text=True, env=environment, timeout=120)


# Every numeric setting once, the bad values taken in turn, so that each kind of bad text is tried too.
@pytest.mark.parametrize("name, raw", [("QUERY_TIMEOUT", "nan")] + [
    (setting.name, bad_values(setting)[number % len(BAD)]) for number, setting in enumerate(NUMERIC)])
def test_kg_serve_refuses_to_start_on_a_bad_number_in_the_environment(name, raw, tmp_path):
    done = kg_serve_with("SAHEL_KG_" + name, raw, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()], done.stderr  # one line
    assert done.stderr.startswith(f"error: setting {name} (from SAHEL_KG_{name}): must be ")
    assert repr(raw) in done.stderr


@pytest.mark.parametrize("raw", ["https://a.example/", "a.example", "null", "*, https://a.example",
                                 "https://a.example https://b.example/"])
def test_cors_origins_is_star_or_origins_as_a_browser_writes_them(raw):
    """A URL, a bare host or `*` among origins cannot be matched to a page's Origin: no site could read."""
    with pytest.raises(ConfigError, match="CORS_ORIGINS.*origins such as"):
        resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": raw})
    for kept in ("*", "", "http://localhost:3000", "https://app.example"):
        assert resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": kept})["CORS_ORIGINS"] == kept


@pytest.mark.parametrize("raw", ["https://a.example https://b.example", "https://a.example, https://b.example",
                                 " https://a.example,https://b.example,", "https://a.example\thttps://b.example",
                                 "https://a.example https://b.example https://a.example"])
def test_cors_origins_takes_several_origins_separated_by_spaces_or_commas(raw):
    """A list was refused: a server whose data two sites' pages read (a query UI, OpenRefine) had to allow all."""
    assert resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": raw})["CORS_ORIGINS"] == "https://a.example https://b.example"


@pytest.mark.parametrize("raw, written", [
    ("http://[0:0:0:0:0:0:0:1]:8080", "[::1]"), ("http://[::ffff:1.2.3.4]", "[::ffff:102:304]"),
    ("http://127.1", "127.0.0.1"), ("http://0x7f.0.0.1:8000", "127.0.0.1"), ("http://010.0.0.1", "8.0.0.1"),
    ("http://1.2.3.4.", "1.2.3.4"),
])
def test_cors_origins_names_an_ip_address_as_a_browser_writes_it(raw, written):
    """Each was taken and never matched: a browser writes its page's IP address in one form (WHATWG URL), whatever
    the page's URL wrote, and compares Access-Control-Allow-Origin to that byte for byte."""
    with pytest.raises(ConfigError, match="CORS_ORIGINS") as refused:
        resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": raw})
    assert f"a browser writes this address as {written}" in str(refused.value)
    for wrong in ("http://1.2.3.256", "http://09.1.1.1", "http://[1::2::3]", "http://v1.2"):
        with pytest.raises(ConfigError, match="reads as an IP address that is none"):
            resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": wrong})
    for kept in ("http://[::1]:8080", "http://127.0.0.1:8000", "http://[fe80::1:0:0:1]", "https://a1.example."):
        assert resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": kept})["CORS_ORIGINS"] == kept


@pytest.mark.parametrize("raw, why", [
    ("https://app.example,b.example", "scheme, a host"),  # a list whose later entries have no scheme
    ("https://App.example", "lower case, 'https://app.example'"), ("HTTPS://APP.EXAMPLE", "lower case"),
    ("https://app.example:443", "without the default port 443"), ("http://app.example:80", "default port 80"),
    ("https://app.example:99999", "above 65535"), ("https://app.example:", "scheme, a host"),
    ("https://app.example:x", "scheme, a host"), ("https://:8080", "scheme, a host"),
])
def test_cors_origins_is_an_origin_as_a_browser_writes_it(raw, why):
    """Each was taken and sent as it was: a browser compares Access-Control-Allow-Origin to its page's origin as it
    writes that (lower case, no default port) byte for byte, so no site could read, and nothing said why."""
    with pytest.raises(ConfigError, match="CORS_ORIGINS") as refused:
        resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": raw})
    assert why in str(refused.value)
    for kept in ("https://app.example:8443", "http://[::1]:8080", "http://localhost", "https://my_host.example"):
        assert resolve({}, environ={"SAHEL_KG_CORS_ORIGINS": kept})["CORS_ORIGINS"] == kept


def test_an_environment_variable_that_names_no_setting_is_said_with_the_one_it_is_likeliest_meant_for():
    """SAHEL_KG_QUERY_TIMOUT=5 (or the long-gone SAHEL_KG_WORKER_MALLOC) was ignored without a word."""
    from kg.settings import stray_environment

    environ = {"SAHEL_KG_QUERY_TIMOUT": "5", "SAHEL_KG_row_limit": "9", "SAHEL_KG_WORKER_MALLOC": "system",
               "SAHEL_KG_HOME": "/x", "SAHEL_KG_MORPH_KGC": "/y", "SAHEL_KG_QUERY_TIMEOUT": "5", "OTHER_THING": "1"}
    assert stray_environment(environ) == [
        "SAHEL_KG_QUERY_TIMOUT names no setting, and is ignored; did you mean SAHEL_KG_QUERY_TIMEOUT?",
        "SAHEL_KG_WORKER_MALLOC names no setting, and is ignored (the README's table of settings lists them)",
        "SAHEL_KG_row_limit names no setting, and is ignored; did you mean SAHEL_KG_ROW_LIMIT?"]
    assert stray_environment({"SAHEL_KG_STORE": "memory:", "SAHEL_KG_REQUIRE_SERVICES": "1"}) == []
    # a name of 100,000 characters was printed whole, by every kg command
    (line,) = stray_environment({"SAHEL_KG_" + "Q" * 100_000: "1"})
    assert line == "SAHEL_KG_" + "Q" * 190 + ("… names no setting, and is ignored (the README's table of settings "
                                              "lists them)")


def test_every_command_warns_of_a_variable_that_names_no_setting(monkeypatch):
    from test_loading import kg

    monkeypatch.setenv("SAHEL_KG_ROW_LIMT", "5")
    result = kg("query", "--store", "memory:", "-q", "ASK {}")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == ("warning: SAHEL_KG_ROW_LIMT names no setting, and is ignored; did you "
                                             "mean SAHEL_KG_ROW_LIMIT?")


def test_a_stray_variable_whose_name_is_not_utf8_is_shown_with_the_byte_escaped():
    """SAHEL_KG_ROW<0xff>LIMIT was warned of as SAHEL_KG_ROW\\udcff LIMIT, Python's stand-in for the byte, not the
    byte itself as a file name not UTF-8 is shown (\\xff)."""
    from kg.settings import stray_environment

    # compared as ascii(): a failure's text holding a lone surrogate stops pytest-xdist's worker (INTERNALERROR)
    (line,) = stray_environment({"SAHEL_KG_ROW" + b"\xff".decode("utf-8", "surrogateescape") + "LIMIT": "5"})
    assert ascii(line) == ascii(r"SAHEL_KG_ROW\xffLIMIT names no setting, and is ignored; did you mean "
                                "SAHEL_KG_ROW_LIMIT?")
    (line,) = stray_environment({"SAHEL_KG_" + "\udcff" * 150: "5"})  # cut after escaping: it stays one line
    assert ascii(line.partition(" ")[0]) == ascii("SAHEL_KG_" + r"\xff" * 47 + r"\x…")
    (line,) = stray_environment({"SAHEL_KG_X\ud800": "5"})  # a surrogate no byte stands for, in a caller's dict
    assert ascii(line.partition(" ")[0]) == ascii("SAHEL_KG_X\ud800")


def test_every_command_warns_of_a_variable_whose_name_is_not_utf8_without_a_traceback(monkeypatch):
    from test_loading import kg

    monkeypatch.setenv("SAHEL_KG_ROW\udcffLIMIT", "5")  # as Python holds the byte 0xff of an environment's name
    result = kg("query", "--store", "memory:", "-q", "ASK {}")
    assert result.exit_code == 0, ascii(result.stderr)
    assert ascii(result.stderr.splitlines()[0]) == ascii(r"warning: SAHEL_KG_ROW\xffLIMIT names no setting, and is "
                                                         "ignored; did you mean SAHEL_KG_ROW_LIMIT?")


@pytest.mark.parametrize("entry, named", [("http://a..b/sparql", "'http://a..b/sparql'"),
                                          ("https://q.example/sparql>http://u:secret@a..b/s", "the mirror of "
                                                                                            "'https://q.example/sparql'")])
def test_an_allowlisted_endpoint_whose_host_is_no_host_name_is_refused(entry, named):
    """SERVICE_ALLOWLIST=http://a..b/sparql was taken; the first SERVICE call to it ended in a UnicodeError
    traceback from the socket's idna codec. A mirror's URL, which may hold credentials, is not shown."""
    with pytest.raises(ConfigError) as refused:
        resolve({}, environ={"SAHEL_KG_SERVICE_ALLOWLIST": entry})
    assert str(refused.value) == (f"setting SERVICE_ALLOWLIST (from SAHEL_KG_SERVICE_ALLOWLIST): {named} is no "
                                  "endpoint's URL: its host is no host name: a part of it is empty or over 63 "
                                  "characters")
    assert resolve({}, environ={"SAHEL_KG_SERVICE_ALLOWLIST": "http://dbpédia.example./sparql"})["SERVICE_ALLOWLIST"]


@pytest.mark.parametrize("name, raw, said", [
    ("STORE_REPLICAS", "http://127.0.0.1:9/q, http://a..b/sparql",
     "'http://a..b/sparql' is no SPARQL endpoint's URL: its host is no host name: a part of it is empty or over 63"),
    ("STORE_UPDATE_URL", "http://u:secret@a..b/update", "'http://u:***@a..b/update' is no SPARQL endpoint's URL"),
    ("STORE_UPDATE_URL", "ftp://x/update", "'ftp://x/update' is no SPARQL endpoint's URL: it is not http://"),
    ("STORE_UPDATE_URL", "http://a/u http://b/u", "one URL is needed, not 2"),
])
def test_a_store_url_no_request_can_go_to_is_refused_as_a_setting(name, raw, said):
    """Each was taken, then the first request to it ended in a traceback (UnicodeError from the idna codec) or
    an error naming the query URL; a password is never shown."""
    with pytest.raises(ConfigError) as refused:
        resolve({}, environ={f"SAHEL_KG_{name}": raw})
    assert f"setting {name} (from SAHEL_KG_{name}): {said}" in str(refused.value) and "secret" not in str(refused.value)
    assert resolve({}, environ={"SAHEL_KG_STORE_REPLICAS": "http://127.0.0.1:9/a,http://[::1]:9/b",
                                "SAHEL_KG_STORE_UPDATE_URL": ""})["STORE_UPDATE_URL"] is None
