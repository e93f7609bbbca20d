"""The web site's templates and static assets, shipped in the wheel as the package
`publisher.website.assets` (see `[tool.setuptools.package-dir]` in pyproject.toml); this file
makes the folder importable from an editable install too."""
