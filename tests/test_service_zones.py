"""An IPv6 literal with a zone id (`http://[fe80::1%25eth0]:8890/sparql`) was taken by the allow-list and never
decoded: the resolver took "25eth0" for the interface and the call hung to its time limit. Zone ids are refused,
in the settings and at query time, with the reason (helper-181)."""

from __future__ import annotations

import pytest

from kg.errors import ConfigError, PolicyError
from kg.federation import Federation
from kg.query import Policy, QueryService
from kg.settings import resolve
from kg.store import url_fault
from test_federation import article  # noqa: F401  (fixture)

ZONED = ["http://[fe80::1%25eth0]:8890/sparql", "http://[fe80::1%eth0]/sparql", "https://u:p@[fe80::1%251]/s"]


@pytest.mark.parametrize("url", ZONED)
@pytest.mark.parametrize("entry", ["{url}", "http://q.example/sparql>{url}"])
def test_the_allow_list_refuses_a_zone_id_saying_why(url, entry):
    with pytest.raises(ConfigError, match="zone id") as refused:
        resolve({"SERVICE_ALLOWLIST": entry.format(url=url)}, environ={})
    assert "u:p" not in str(refused.value)


@pytest.mark.parametrize("setting", ["STORE_REPLICAS", "STORE_UPDATE_URL"])
def test_a_store_url_with_a_zone_id_is_refused_as_well(setting):
    with pytest.raises(ConfigError, match="zone id"):
        resolve({setting: ZONED[0]}, environ={})


@pytest.mark.parametrize("entries", [
    "ftp://reader:s3cret@a.example/s",  # no http(s) endpoint
    "http://reader:s3cret@a.example:99999/s",  # no port
    "http://reader:s3cret@a.example/s http://reader:s3cret@a.example/s>http://b.example/s",  # two mirrors
])
def test_a_refused_allow_list_shows_no_credentials(entries):
    with pytest.raises(ConfigError) as refused:
        resolve({"SERVICE_ALLOWLIST": entries}, environ={})
    assert "s3cret" not in str(refused.value) and "a.example" in str(refused.value)


def test_an_address_without_a_zone_is_taken():
    assert url_fault("http://[fe80::1]:8890/sparql") is None and url_fault("http://[::1]/a%25b") is None


@pytest.mark.parametrize("url", ZONED)
def test_a_service_with_a_zone_id_is_refused_saying_why(article, url):  # noqa: F811
    with pytest.raises(PolicyError, match="zone id"):
        QueryService(article, policy=Policy(service_allowlist=("http://q.example/sparql",))).query(
            f"SELECT * {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")


@pytest.mark.parametrize("url", ZONED)
def test_a_list_the_settings_never_read_calls_no_zone_id(article, url):  # noqa: F811
    service = QueryService(article, policy=Policy(service_allowlist=("http://q.example/sparql", url)),
                           federation=Federation(endpoints={"http://q.example/sparql": url}))
    for endpoint in ("http://q.example/sparql", url):
        with pytest.raises(PolicyError, match="zone id") as refused:
            service.query(f"SELECT * {{ SERVICE <{endpoint}> {{ ?x ?p ?o }} }}")
        assert "u:p" not in str(refused.value)
