"""Errors for people: each says what is wrong, names the value, and says how to fix it.

The CLI catches `PublisherError` once and prints `error: <message>` on one line, so no
traceback ever reaches a user for a mistake they can mend.
"""


class PublisherError(Exception):
    """A failure the user can act on; `str()` is one line naming the value and the fix."""

    exit_code = 1

    def __init__(self, message: str, tip: str = "") -> None:
        self.message = message
        self.tip = tip
        super().__init__(f"{message} {tip}".strip() if tip else message)


class UsageError(PublisherError):
    """A bad option, argument or settings value."""

    exit_code = 2


class EventsError(PublisherError):
    """The events given to the embedded engine are missing or not in the expected shape."""

    exit_code = 2


class EngineError(PublisherError):
    """An engine could not count: a server refused, timed out or answered something unexpected."""


class IncompleteDataError(PublisherError):
    """Days of the window are missing or suspiciously small at the source."""


class BudgetError(PublisherError):
    """The query would cost more than the budget allows."""


class ValidationError(PublisherError):
    """The dataset breaks the format's rules; nothing is written."""


class OutputError(PublisherError):
    """A folder cannot be written: checked before counting, so nothing is spent for nothing."""

    exit_code = 2


class WriteError(PublisherError):
    """Writing files failed midway (a full disk, a file size limit, a lost mount)."""


class DiskSpaceError(PublisherError):
    """What would be written does not fit in the free space; refused before writing anything."""


class GitError(PublisherError):
    """Git refused a step of the release; what was done locally is kept."""


class MetadataError(PublisherError):
    """The repository's citation metadata or release record cannot be used as it is."""

    exit_code = 2


class ZenodoError(PublisherError):
    """Zenodo refused, failed or could not be reached; what exists there is named."""


class BusyError(PublisherError):
    """Another run holds the repository's lock; nothing was done."""


class AnomalyError(PublisherError):
    """The month looks structurally wrong (its mean downloads per day fell by more than half):
    nothing is published unless the user accepts it with --accept-anomalies."""
