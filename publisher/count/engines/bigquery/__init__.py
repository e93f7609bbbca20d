"""The BigQuery engine: the public table, measured before spending and never over budget."""
