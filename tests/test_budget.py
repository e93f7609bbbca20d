from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.count.engines.bigquery.budget import (
    MIB,
    TIB,
    allowance,
    billed_bytes,
    cost,
    largest_fit,
    recent_days,
    scale,
    spread_days,
    weekday_quotas,
)
from publisher.count.window import Window

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))


def test_billing_rounds_up_to_mib_with_a_ten_mib_floor() -> None:
    assert billed_bytes(0) == 0
    assert billed_bytes(1) == 10 * MIB
    assert billed_bytes(10 * MIB + 1) == 11 * MIB
    assert billed_bytes(1_092_598_357_579) == 1_092_598_366_208  # a real 2025-04 job


def test_cost_at_the_list_price_rounded_up_to_cents() -> None:
    assert cost(TIB) == "6.25"
    assert cost(1_092_598_366_208) == "6.22"
    assert cost(0) == "0.00"
    assert cost(1) == "0.01"


def test_allowance_subtracts_the_month_so_far() -> None:
    assert allowance(TIB, None) == TIB
    assert allowance(TIB, TIB // 4) == TIB - TIB // 4
    assert allowance(TIB, 2 * TIB) == 0


def test_largest_fit_finds_the_most_days_within_the_allowance() -> None:
    per_day = 37 * 10**9
    probes: list[int] = []

    def measure(k: int) -> int:
        probes.append(k)
        return k * per_day

    assert largest_fit(measure, 30, TIB) == 29  # 29 x 37 GB = 1.073 TB < 1 TiB = 1.0995 TB
    assert len(probes) <= 6
    assert largest_fit(measure, 30, 10 * MIB) == 0
    assert largest_fit(measure, 30, 10 * TIB) == 30


def test_recent_days() -> None:
    assert recent_days(WINDOW, 13) == Window(date(2026, 10, 19), date(2026, 10, 31))


@given(st.integers(1, 60), st.integers(1, 366), st.dates(date(2020, 1, 1), date(2030, 1, 1)))
def test_spread_days_are_k_distinct_days_of_the_window(k: int, n: int, end: date) -> None:
    window = Window(end.fromordinal(end.toordinal() - n + 1), end)
    days = spread_days(window, k)
    assert len(days) == min(k, n) == len(set(days))
    assert all(window.start <= d <= window.end for d in days)


@pytest.mark.parametrize("k", [3, 7, 10, 13, 14, 20])
def test_spread_days_balance_weekdays_and_cover_the_window(k: int) -> None:
    days = spread_days(WINDOW, k)
    per_weekday = Counter(d.weekday() for d in days)
    assert max(per_weekday.values()) - min(per_weekday.get(w, 0) for w in range(7)) <= 1
    assert (days[0] - WINDOW.start).days <= 30 / k + 1
    assert (WINDOW.end - days[-1]).days <= 30 / k + 1
    gaps = [(b - a).days for a, b in pairwise(days)]
    assert max(gaps) <= 2 * 30 / k + 1


def test_weekday_quotas_sum_to_k() -> None:
    for k in range(0, 40):
        quotas = weekday_quotas(k)
        assert sum(quotas.values()) == k
        assert max(quotas.values()) - min(quotas.values()) <= 1


def test_scale_is_n_over_k_rounded() -> None:
    assert scale(7, 30, 13) == 16  # 16.15
    assert scale(13, 30, 13) == 30
    assert scale(1, 30, 4) == 8  # 7.5 rounds half up
