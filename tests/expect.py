"""Assertions shared by the tests of what people see."""


def assert_one_error_line(err: str, message: str) -> None:
    """The error is the last line, alone (progress lines may come before it), no traceback."""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ")
    assert message in lines[-1]
    assert sum("error" in line.lower() for line in lines) == 1
    assert "Traceback" not in err
