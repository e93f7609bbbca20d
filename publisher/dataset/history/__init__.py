"""The history files in `data/history/`: every month's ranking, counted one way, as one Parquet
file per tag year, an index of what each month is, and a data package of their own."""
