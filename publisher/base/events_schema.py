"""The schema of `bigquery-public-data.pypi.file_downloads`, as Parquet sees it.

One definition serves the sample generator, the check of user-supplied events and the local
BigQuery stand-in of the tests, so the three cannot drift apart.
"""

import pyarrow as pa

TABLE = "bigquery-public-data.pypi.file_downloads"

_NAME_VERSION = pa.struct([("name", pa.string()), ("version", pa.string())])

FILE_DOWNLOADS = pa.schema(
    [
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("country_code", pa.string()),
        ("url", pa.string()),
        ("project", pa.string()),
        (
            "file",
            pa.struct(
                [
                    ("filename", pa.string()),
                    ("project", pa.string()),
                    ("version", pa.string()),
                    ("type", pa.string()),
                ]
            ),
        ),
        (
            "details",
            pa.struct(
                [
                    ("installer", _NAME_VERSION),
                    ("python", pa.string()),
                    ("implementation", _NAME_VERSION),
                    (
                        "distro",
                        pa.struct(
                            [
                                ("name", pa.string()),
                                ("version", pa.string()),
                                ("id", pa.string()),
                                (
                                    "libc",
                                    pa.struct([("lib", pa.string()), ("version", pa.string())]),
                                ),
                            ]
                        ),
                    ),
                    ("system", pa.struct([("name", pa.string()), ("release", pa.string())])),
                    ("cpu", pa.string()),
                    ("openssl_version", pa.string()),
                    ("setuptools_version", pa.string()),
                    ("rustc_version", pa.string()),
                    ("ci", pa.bool_()),
                ]
            ),
        ),
        ("tls_protocol", pa.string()),
        ("tls_cipher", pa.string()),
    ]
)
