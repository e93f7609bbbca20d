import pytest

from publisher.base.errors import UsageError
from publisher.base.sizes import format_size, parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1TiB", 2**40),
        ("500GiB", 500 * 2**30),
        ("1.5TB", 1_500_000_000_000),
        ("123", 123),
        ("1e12", 10**12),
        ("0", 0),
        (" 2 tib ", 2 * 2**40),
        ("10MiB", 10 * 2**20),
        ("1PiB", 2**50),
        ("1e-999999999999", 0),
        ("0." + "0" * 5000 + "1TiB", 0),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "message"),
    [("-5GiB", "is negative"), ("lots", "is not a size"), ("5XB", "is not a size"), ("", "")],
)
def test_bad_sizes(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=f"--budget '{text}' {message}"):
        parse_size(text)


def test_format_is_binary_like_the_quota() -> None:
    assert format_size(2**40) == "1.00 TiB"
    assert format_size(int(2.31 * 2**40)) == "2.31 TiB"
    assert format_size(512) == "512 B"
