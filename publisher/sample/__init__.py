"""Stage 1, sample: synthetic download events in the schema of the public BigQuery table, one
Parquet file per UTC day, the same bytes for the same seed. Takes a spec, gives files that the
embedded engine counts as it would count real ones.
"""
