from datetime import date

from publisher.count.query import sampled_projects_sql, to_duckdb, top_projects_sql
from publisher.count.window import Window

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))
BOUNDS = (
    'timestamp >= TIMESTAMP("2026-10-02 00:00:00") AND timestamp < TIMESTAMP("2026-11-01 00:00:00")'
)


def test_bigquery_text_counts_every_project_then_the_days_of_the_top_1000() -> None:
    sql = top_projects_sql(WINDOW)
    assert sql.endswith("ORDER BY totals.download_count DESC, totals.project ASC")  # no LIMIT
    # One group a project: the installer groups counted beside the downloads, `other` what
    # the four others leave.
    assert f"  WHERE {BOUNDS}\n  GROUP BY project\n" in sql
    assert "COUNT(IF(details.installer.name = 'pip', 1, NULL)) AS pip_downloads" in sql
    assert "COUNT(IF(details.ci IS TRUE, 1, NULL)) AS ci_downloads" in sql
    assert "NOT IN" not in sql
    assert (
        "totals.download_count - totals.pip_downloads - totals.uv_downloads"
        " - totals.mirror_downloads - totals.unknown_downloads AS other_downloads"
    ) in sql
    assert "totals.pip_downloads + totals.uv_downloads AS ci_capable_downloads" in sql
    # The days of the top 1,000 only, ties broken by name as in the ranking.
    assert "ORDER BY download_count DESC, project ASC LIMIT 1000\n" in sql
    assert f"  WHERE ({BOUNDS}) AND file.project IN (SELECT project FROM head)\n" in sql
    assert "  GROUP BY project, day\n" in sql
    # 30 days: the median is the mean of the 15th and 16th busiest day (zero-padded).
    assert "day_rank = 15, download_count, 0)) + SUM(IF(day_rank = 16," in sql
    assert sql.endswith(
        "  COUNTIF(totals.project != '') OVER () AS projects_counted,\n"
        "  SUM(IF(totals.project != '', 0, totals.download_count)) OVER () AS unnamed_downloads\n"
        "FROM totals LEFT JOIN day_stats USING (project)\n"
        "QUALIFY totals.project != ''\n"
        "ORDER BY totals.download_count DESC, totals.project ASC"
    )


def test_without_breakdown_no_details_column_is_named() -> None:
    sql = top_projects_sql(WINDOW, breakdown=False)
    assert "details" not in sql
    assert "pip_downloads" not in sql
    assert "AS busiest_two_days" in sql
    assert "AS median_day" in sql


def test_an_odd_number_of_days_takes_the_middle_day() -> None:
    sql = sampled_projects_sql([date(2026, 10, d) for d in (3, 4, 9, 20, 21, 22, 30)])
    assert "day_rank = 4, download_count, 0)) + SUM(IF(day_rank = 4," in sql
    assert sql.count("OR (timestamp >=") == 2 * 3  # four runs of days, in both scans


def test_duckdb_translation_groups_by_the_file_project_not_the_top_level_column() -> None:
    sql = to_duckdb(top_projects_sql(WINDOW))
    group_by = sql.split("GROUP BY")[1].split(")")[0]
    assert '"file"."project"' in group_by
    assert "CAST('2026-10-02 00:00:00' AS TIMESTAMPTZ)" in sql
    assert "CAST('2026-11-01 00:00:00' AS TIMESTAMPTZ)" in sql
    assert '"bigquery-public-data"."pypi"."file_downloads"' in sql


def test_duckdb_translation_numbers_the_days_without_a_calendar() -> None:
    # DuckDB casts a TIMESTAMPTZ to DATE through ICU on every row; a division does not.
    sql = to_duckdb(top_projects_sql(WINDOW))
    assert "AS DATE)" not in sql
    assert 'EPOCH_US("file_downloads"."timestamp") // 86400000000 AS "day"' in sql
