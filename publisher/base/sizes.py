"""Byte sizes as people write them: `1TiB`, `500GiB`, `1.5TB`, `1e12`, plain bytes."""

import re
from decimal import Decimal

from publisher.base.errors import UsageError

UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "PB": 10**15,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
    "PIB": 2**50,
}
SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)(?:[eE]([+-]?[0-9]+))?\s*([A-Za-z]*)\s*$")
TIP = "Write it like 1TiB, 500GiB, 1.5TB or a number of bytes."
# A thousand times BigQuery's free tier: more is a typo, not a budget.
MAX_SIZE = UNITS["PIB"]
# Numbers with more digits before the point than this are over MAX_SIZE in any unit. Checked
# on the text: building 1e999999 as an integer takes a minute, and 1e1000000 overflows Decimal.
MAX_DIGITS = 16
MAX_EXPONENT_DIGITS = 7


def parse_size(text: str, option: str = "--budget") -> int:
    match = SIZE.match(text)
    if text.strip().startswith("-"):
        raise UsageError(f"{option} {text!r} is negative.", TIP)
    if not match or match.group(3).upper() not in UNITS:
        raise UsageError(f"{option} {text!r} is not a size.", TIP)
    number = scaled(match.group(1), match.group(2) or "0")
    size = None if number is None else int(number * UNITS[match.group(3).upper()])
    if size is None or size > MAX_SIZE:
        raise UsageError(f"{option} {text!r} is more than 1 PiB.", "Give 1PiB or less.")
    return size


def scaled(digits: str, exponent: str) -> Decimal | None:
    """digits times 10**exponent, or None when that has more than MAX_DIGITS digits before the
    point; worked out from the text's lengths before any big number is built."""
    number = Decimal(digits)
    if number.is_zero():
        return number
    if len(exponent.lstrip("+-").lstrip("0")) > MAX_EXPONENT_DIGITS:
        return Decimal(0) if exponent.startswith("-") else None
    magnitude = number.adjusted() + int(exponent)
    if magnitude >= MAX_DIGITS:
        return None
    if magnitude < -MAX_DIGITS:
        return Decimal(0)  # less than a byte, in any unit
    return number.scaleb(int(exponent))


def format_size(size: int) -> str:
    """Binary units, as BigQuery's quota is counted: 1 TiB = 2**40 bytes."""
    for unit in ("PiB", "TiB", "GiB", "MiB", "KiB"):
        scale = UNITS[unit.upper()]
        if abs(size) >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size} B"
