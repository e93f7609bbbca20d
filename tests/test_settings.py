import re
from pathlib import Path
from typing import Any

import pytest

from publisher.base.errors import UsageError
from publisher.base.settings import (
    KEYS,
    Settings,
    environment_settings,
    parse_settings_text,
    read_settings_file,
    resolve,
    written_names,
)
from tests.documentation import docs_text


def test_defaults() -> None:
    settings = resolve({}, {})
    assert (settings.engine, settings.limit, settings.days) == ("duckdb", 15000, 30)


def test_command_line_beats_file_beats_default() -> None:
    from_file = parse_settings_text('limit = 500\ndays = 7\nover-budget = "shrink"\n', "t.toml")
    settings = resolve({"limit": 100, "days": None}, from_file)
    assert (settings.limit, settings.days, settings.over_budget) == (100, 7, "shrink")


def test_every_key_is_documented_in_the_docs() -> None:
    docs = docs_text()
    missing = [key for key in KEYS if f"`{key}`" not in docs]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limit = ", "top-pypi.toml is not valid TOML"),
        ("limt = 5", "unknown key 'limt'"),
        ('limit = "many"', "limit = 'many' should be a whole number"),
        ("allow-incomplete = 1", "should be true or false"),
        ("days = true", "should be a whole number"),
        ("end-date = 2026-10-31", "unknown key 'end-date'"),  # it would pin one month forever
    ],
)
def test_malformed_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "top-pypi.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        read_settings_file(tmp_path)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("engine", "sqlite", "top-pypi.toml: engine = 'sqlite' is not an engine"),
        ("limit", 0, "top-pypi.toml: limit = 0 is not a positive number of rows"),
        ("days", 400, "top-pypi.toml: days = 400 is out of range"),
        ("budget", "lots", "top-pypi.toml: budget = 'lots' is not a size"),
        ("over_budget", "pray", "top-pypi.toml: over_budget = 'pray' is not a policy"),
        ("limit", 100_001, "top-pypi.toml: limit = 100001 is more than 100,000 rows"),
        ("budget", "1e1000000", "top-pypi.toml: budget = '1e1000000' is more than 1 PiB"),
    ],
)
def test_values_from_the_file_are_named_as_the_file_has_them(
    key: str, value: object, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        resolve({}, {key: value})


def test_a_value_on_the_command_line_is_named_as_the_option() -> None:
    with pytest.raises(UsageError, match="--limit 0 is not"):
        resolve({"limit": 0}, {"limit": 10})


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert resolve({}, read_settings_file(tmp_path)) == Settings()


def test_environment_is_under_the_command_line_and_over_the_file() -> None:
    from_file = {"days": 10, "engine": "bigquery", "limit": 7}
    variables = environment_settings({"TOP_PYPI_DAYS": "7", "TOP_PYPI_ENGINE": "clickhouse"})
    settings = resolve({"days": None, "engine": None}, from_file, variables)
    assert (settings.days, settings.engine, settings.limit) == (7, "clickhouse", 7)
    settings = resolve({"days": 3, "engine": "duckdb"}, from_file, {"days": "not read"})
    assert (settings.days, settings.engine) == (3, "duckdb")


def test_empty_variables_are_unset() -> None:
    environ = {"TOP_PYPI_DAYS": "", "TOP_PYPI_ENGINE": "", "TOP_PYPI_END_DATE": ""}
    assert environment_settings(environ) == {}
    assert resolve({}, {"days": 9}, environment_settings(environ)).days == 9


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TOP_PYPI_DAYS", "x", "TOP_PYPI_DAYS 'x' is not a whole number."),
        ("TOP_PYPI_DAYS", "400", "TOP_PYPI_DAYS 400 is out of range."),
        ("TOP_PYPI_ENGINE", "sqlite", "TOP_PYPI_ENGINE 'sqlite' is not an engine."),
        # Zenodo URLs that `requests` cannot send to: refused here, not labelled an HTTP 400.
        ("TOP_PYPI_ZENODO_URL", "http://[::1", "TOP_PYPI_ZENODO_URL 'http://[::1' is not an"),
        ("TOP_PYPI_ZENODO_URL", "http://h:99999", "TOP_PYPI_ZENODO_URL 'http://h:99999' is not"),
        ("TOP_PYPI_ZENODO_URL", "http://h:abc", "TOP_PYPI_ZENODO_URL 'http://h:abc' is not an"),
        ("TOP_PYPI_ZENODO_URL", "http://a b.org", "TOP_PYPI_ZENODO_URL 'http://a b.org' is not"),
        ("TOP_PYPI_ZENODO_URL", "http://%zz/", "TOP_PYPI_ZENODO_URL 'http://%zz/' is not an"),
        ("TOP_PYPI_ZENODO_URL", "http://h/#x", "TOP_PYPI_ZENODO_URL 'http://h/#x' is not an"),
        ("TOP_PYPI_ZENODO_URL", "http://u:pw@[::1", "TOP_PYPI_ZENODO_URL 'http://***@[::1' has"),
    ],
)
def test_a_bad_variable_is_named_as_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)) as caught:
        resolve({}, {"days": 5, "engine": "duckdb"}, environment_settings({name: value}))
    assert "pw" not in str(caught.value)


def test_two_spellings_of_one_key_are_refused(tmp_path: Path) -> None:
    """Dashes and underscores are alike, so both spellings name one key: neither may win."""
    text = "allow-incomplete = true\nlimit = 5\nallow_incomplete = false\n"
    (tmp_path / "top-pypi.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_settings_file(tmp_path)
    assert str(caught.value) == (
        "top-pypi.toml has both 'allow-incomplete' and 'allow_incomplete', which are one key. "
        "Keep one of them."
    )


def test_values_not_typed_are_named_as_written_and_secrets_never_shown() -> None:
    from_file = {"events": "../events", "allow_incomplete": True, "clickhouse_password": "pw1"}
    environ = {"TOP_PYPI_CLICKHOUSE_PASSWORD": "pw2", "TOP_PYPI_CLICKHOUSE_URL": "http://h:1"}
    written = written_names(from_file, environ)
    settings = resolve({"allow_incomplete": True}, from_file, written=written)
    assert settings.name("events", "x") == "top-pypi.toml: events = '../events'"
    assert settings.label("events") == "top-pypi.toml: events"
    assert settings.name("allow_incomplete", "") == "--allow-incomplete "  # typed: the option
    assert settings.name("clickhouse_url", "x") == "TOP_PYPI_CLICKHOUSE_URL='http://h:1'"
    assert settings.name("clickhouse_password", "") == "TOP_PYPI_CLICKHOUSE_PASSWORD"
    assert settings.name("limit", "15000") == "--limit 15000"
    assert "pw" not in repr(settings.written)
    names = written_names({"clickhouse_password": "pw1", "allow_incomplete": False}, {})
    assert names["clickhouse_password"][1] == "top-pypi.toml: clickhouse_password"
    assert names["allow_incomplete"][1] == "top-pypi.toml: allow_incomplete = false"


@pytest.mark.parametrize(
    ("environ", "from_file", "message"),
    [
        ({"TOP_PYPI_TIMEOUT": "soon"}, {}, "TOP_PYPI_TIMEOUT 'soon' is not a whole number."),
        ({"TOP_PYPI_TIMEOUT": "0"}, {}, "TOP_PYPI_TIMEOUT='0' is out of range."),
        ({}, {"timeout": 7200}, "top-pypi.toml: timeout = 7200 is out of range."),
    ],
)
def test_a_timeout_out_of_range_is_named_where_it_was_set(
    environ: dict[str, str], from_file: dict[str, Any], message: str
) -> None:
    def settle() -> Settings:
        environment = environment_settings(environ)
        return resolve({}, from_file, environment, written_names(from_file, environ))

    with pytest.raises(UsageError, match=re.escape(message)):
        settle()


def test_the_timeout_from_the_environment_an_empty_variable_meaning_unset() -> None:
    assert resolve({}, {}, environment_settings({"TOP_PYPI_TIMEOUT": "5"})).timeout == 5
    assert environment_settings({"TOP_PYPI_TIMEOUT": ""}) == {}
    assert resolve({}, {}, environment_settings({"TOP_PYPI_TIMEOUT": ""})).timeout == 60
    assert resolve({"timeout": 9}, {"timeout": 5}).timeout == 9


@pytest.mark.parametrize(
    ("command_line", "environ", "from_file", "message"),
    [
        ({}, {"TOP_PYPI_ZENODO_RETRY_WAIT": "-1"}, {}, "TOP_PYPI_ZENODO_RETRY_WAIT='-1' is out"),
        ({}, {}, {"zenodo_retry_wait": 301}, "top-pypi.toml: zenodo_retry_wait = 301 is out"),
        ({"zenodo_retry_wait": 400}, {}, {}, "--zenodo-retry-wait 400 is out of range."),
    ],
)
def test_a_zenodo_retry_wait_out_of_range_is_named_where_it_was_set(
    command_line: dict[str, Any], environ: dict[str, str], from_file: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=re.escape(message)) as refused:
        resolve(
            command_line,
            from_file,
            environment_settings(environ),
            written_names(from_file, environ),
        )
    assert refused.value.tip == "Give a whole number of seconds from 0 to 300."


def test_the_zenodo_retry_wait_from_the_file_the_environment_and_the_command_line() -> None:
    from_file = parse_settings_text("zenodo-retry-wait = 5\n", "t.toml")
    assert resolve({}, {}).zenodo_retry_wait == 2
    assert resolve({}, from_file).zenodo_retry_wait == 5
    environment = environment_settings({"TOP_PYPI_ZENODO_RETRY_WAIT": "0"})
    assert resolve({}, from_file, environment).zenodo_retry_wait == 0
    assert resolve({"zenodo_retry_wait": 9}, from_file, environment).zenodo_retry_wait == 9
