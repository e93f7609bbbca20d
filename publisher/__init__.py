"""top-pypi: the monthly, citable dataset of the most-downloaded projects on PyPI."""

__version__ = "0.1.0"
