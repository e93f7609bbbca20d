"""The ClickHouse engine: exact counts from ClickPy's per-day table, on its free public server or
any ClickHouse that holds the same table."""
