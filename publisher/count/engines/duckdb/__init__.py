"""The embedded engine: DuckDB over local Parquet files in the schema of the public table."""
