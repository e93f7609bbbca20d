"""Whether a version found on Zenodo is a tag's: its files' MD5s, as each API lists them."""

from typing import Any

import pytest

from publisher.release.zenodo.identity import held_files, is_this_tags, named, other_files

JSON_MD5 = "md5:" + "a" * 32
CSV_MD5 = "md5:" + "b" * 32
EXPECTED = {"top-pypi-packages.json": JSON_MD5, "top-pypi-packages.csv": CSV_MD5}
DEPOSIT_FILES = [
    {"filename": "top-pypi-packages.json", "checksum": "a" * 32},
    {"filename": "CITATION.cff", "checksum": "c" * 32},
]
RECORD_FILES = [
    {"key": "top-pypi-packages.json", "checksum": JSON_MD5},
    {"key": "CITATION.cff", "checksum": "md5:" + "c" * 32},
]
RDM_FILES = {"enabled": True, "entries": {entry["key"]: entry for entry in RECORD_FILES}}


@pytest.mark.parametrize("files", [DEPOSIT_FILES, RECORD_FILES, RDM_FILES])
def test_each_apis_file_list_gives_the_same_checksums(files: Any) -> None:
    assert held_files({"files": files}) == {
        "top-pypi-packages.json": JSON_MD5,
        "CITATION.cff": "md5:" + "c" * 32,
    }
    assert is_this_tags({"files": files}, EXPECTED)


def test_a_data_file_with_another_md5_or_name_makes_it_another_datasets() -> None:
    held = {"top-pypi-packages.json": "md5:" + "f" * 32, "extra.csv": CSV_MD5, "CITATION.cff": ""}
    assert other_files(held, EXPECTED) == ["extra.csv", "top-pypi-packages.json"]
    assert not is_this_tags(
        {"files": [{"key": "top-pypi-packages.json", "checksum": CSV_MD5}]}, EXPECTED
    )


def test_a_version_holding_no_data_file_is_nobodys() -> None:
    assert not is_this_tags({"files": [RECORD_FILES[1]]}, EXPECTED)
    assert not is_this_tags({}, EXPECTED)


def test_long_lists_of_names_are_cut_for_one_line() -> None:
    assert named(["a", "b"]) == "a, b"
    assert named(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
