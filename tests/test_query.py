from datetime import date

from publisher.count.query import to_duckdb, top_projects_sql
from publisher.count.window import Window

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))


def test_bigquery_text() -> None:
    assert top_projects_sql(WINDOW, 15000) == "\n".join(
        [
            "SELECT",
            "  file.project AS project,",
            "  COUNT(*) AS download_count,",
            "  COUNTIF(file.project != '') OVER () AS projects_counted,",
            "  SUM(IF(file.project != '', 0, COUNT(*))) OVER () AS unnamed_downloads",
            "FROM `bigquery-public-data.pypi.file_downloads`",
            'WHERE timestamp >= TIMESTAMP("2026-10-02 00:00:00")'
            ' AND timestamp < TIMESTAMP("2026-11-01 00:00:00")',
            "GROUP BY project",
            "QUALIFY file.project != ''",
            "ORDER BY download_count DESC, project ASC",
            "LIMIT 15000",
        ]
    )


def test_duckdb_translation_groups_by_the_file_project_not_the_top_level_column() -> None:
    sql = to_duckdb(top_projects_sql(WINDOW, 10))
    group_by = sql.split("GROUP BY")[1].split("ORDER BY")[0]
    assert '"file"."project"' in group_by
    assert "CAST('2026-10-02 00:00:00' AS TIMESTAMPTZ)" in sql
    assert "CAST('2026-11-01 00:00:00' AS TIMESTAMPTZ)" in sql
    assert '"bigquery-public-data"."pypi"."file_downloads"' in sql
    assert sql.rstrip().endswith("LIMIT 10")
