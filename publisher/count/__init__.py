"""Stage 2, count: downloads per project over a window of whole UTC days. Takes a window, a
limit and an engine (embedded DuckDB, BigQuery or ClickHouse); gives ranked rows and an honest
account of what was read, checked for missing days first."""
