"""Byte sizes as people write them: `1TiB`, `500GiB`, `1.5TB`, `1e12`, plain bytes."""

import re
from decimal import Decimal, InvalidOperation

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
SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*$")
TIP = "Write it like 1TiB, 500GiB, 1.5TB or a number of bytes."


def parse_size(text: str, option: str = "--budget") -> int:
    match = SIZE.match(text)
    if text.strip().startswith("-"):
        raise UsageError(f"{option} {text!r} is negative.", TIP)
    if not match or match.group(2).upper() not in UNITS:
        raise UsageError(f"{option} {text!r} is not a size.", TIP)
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        raise UsageError(f"{option} {text!r} is not a size.", TIP) from None
    return int(number * UNITS[match.group(2).upper()])


def format_size(size: int) -> str:
    """Binary units, as BigQuery's quota is counted: 1 TiB = 2**40 bytes."""
    for unit in ("PiB", "TiB", "GiB", "MiB", "KiB"):
        scale = UNITS[unit.upper()]
        if abs(size) >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size} B"
