"""The order of releases, as pure rules: oldest first, late ones only when asked."""

import pytest

from publisher.base.errors import UsageError
from publisher.release.zenodo.order import check_order, superseded, waiting

TAGS = ["2026.09", "2026.10", "2026.11", "2026.11.1", "2026.12"]


def test_a_correction_replaces_its_month_and_earlier_corrections() -> None:
    assert superseded(TAGS) == {"2026.11"}
    assert superseded([*TAGS, "2026.11.2"]) == {"2026.11", "2026.11.1"}
    assert waiting(TAGS, ["2026.09"]) == ["2026.10", "2026.11.1", "2026.12"]
    assert waiting(TAGS, ["2026.09", "2026.11"]) == ["2026.10", "2026.11.1", "2026.12"]


def test_in_order_releases_pass_without_a_word() -> None:
    assert check_order(TAGS, ["2026.09"], ["2026.10", "2026.11.1", "2026.12"], False) == []
    assert check_order(TAGS, [], ["2026.09"], False) == []
    assert check_order(TAGS, ["2026.09", "2026.10", "2026.11"], ["2026.11.1"], False) == []


@pytest.mark.parametrize(
    ("released", "asked", "words"),
    [
        ([], ["2026.10"], "2026.10 cannot be released before 2026.09,"),
        (["2026.09"], ["2026.12"], "2026.12 cannot be released before 2026.10,"),
        (["2026.09", "2026.10"], ["2026.12"], "2026.12 cannot be released before 2026.11.1,"),
    ],
)
def test_a_tag_waits_for_older_tags_without_a_doi(
    released: list[str], asked: list[str], words: str
) -> None:
    for out_of_order in (False, True):
        with pytest.raises(UsageError, match=words) as caught:
            check_order(TAGS, released, asked, out_of_order)
        assert "\n" not in str(caught.value)


def test_a_tag_older_than_the_newest_released_needs_out_of_order() -> None:
    released = ["2026.09", "2026.10", "2026.11", "2026.12"]
    with pytest.raises(UsageError, match="--out-of-order") as caught:
        check_order(TAGS, released, ["2026.11.1"], False)
    assert "Zenodo's latest version, where the concept DOI lands, becomes 2026.11.1" in str(
        caught.value
    )
    assert check_order(TAGS, released, ["2026.11.1"], True) == [caught.value.message]
