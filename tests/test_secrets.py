"""The one redaction: a secret removed from text in every form a client or server may echo."""

import base64
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest

from publisher.base.errors import UsageError, ZenodoError
from publisher.base.secrets import Redactor, secret_from

SECRET = "s3cr3t/T0k+en=with:odd&chars"
PASTED = f"  {SECRET}\r\n"


Encode = Callable[[bytes], bytes]


def basic(user: str, secret: str, encode: Encode) -> str:
    return encode(f"{user}:{secret}".encode()).decode()


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        PASTED,
        repr(PASTED)[1:-1],
        quote(SECRET, safe=""),
        quote(SECRET),
        re.sub("%..", lambda m: m[0].lower(), quote(SECRET, safe="")),  # %2f, as some write it
        quote_plus(PASTED),
        quote(PASTED, safe=""),
    ],
)
def test_the_secret_as_given_stripped_escaped_or_url_encoded_is_removed(form: str) -> None:
    redact = Redactor(PASTED)
    text = redact(f"GET https://zenodo.test/api?x={form} failed")
    assert text.startswith("GET https://zenodo.test/api?x=***")
    assert "s3cr3t" not in text
    assert "T0k" not in text
    assert "chars" not in text


@pytest.mark.parametrize("user", ["", "u", "us", "use", "user", "x-access-token", "é"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
@pytest.mark.parametrize("given", [SECRET, PASTED])
def test_the_secret_inside_base64_of_user_colon_secret_is_removed(
    user: str,
    encode: Encode,
    given: str,
) -> None:
    """Whatever the user's length, which shifts the secret within base64's groups of three."""
    redact = Redactor(given)
    header = basic(user, SECRET, encode)
    for text in (
        f"Authorization: {header}",
        f"creds={header}&next=1",
        f"creds={header.rstrip('=')}",
    ):
        redacted = redact(text)
        assert header.rstrip("=") not in redacted
        assert redacted.startswith(text.split("=")[0] if "creds" in text else "Authorization:")
        assert "***" in redacted


def test_basic_and_bearer_credentials_and_access_tokens_are_removed_whatever_the_value() -> None:
    redact = Redactor()
    text = redact(
        "url?access_token=abc123&page=1 headers {'Authorization': 'Bearer xyz789'}"
        " Basic dXNlcjpwYXNzd29yZA=="
    )
    assert text == ("url?access_token=***&page=1 headers {'Authorization': 'Bearer ***'} Basic ***")


def test_ordinary_text_and_several_secrets() -> None:
    redact = Redactor(None, "", "  ", "alpha-secret-1", "beta-secret-22")
    text = "basic settings; alpha-secret-1 and beta-secret-22, then the 10.5281/zenodo.123 DOI"
    assert redact(text) == "basic settings; *** and ***, then the 10.5281/zenodo.123 DOI"
    assert redact("nothing secret here: a bearer's word") == "nothing secret here: a bearer's word"


def test_an_error_is_redacted_message_and_tip() -> None:
    redact = Redactor("tok-xyz-123")
    error = ZenodoError("Zenodo at http://u:tok-xyz-123@host refused.", "Not tok-xyz-123.")
    redacted = redact.error(error)
    assert isinstance(redacted, ZenodoError)
    assert (redacted.message, redacted.tip) == ("Zenodo at http://u:***@host refused.", "Not ***.")
    assert str(redacted) == "Zenodo at http://u:***@host refused. Not ***."
    assert redacted.exit_code == error.exit_code


def test_a_secret_from_the_environment_is_stripped_or_refused_unseen() -> None:
    assert secret_from({"T": f" {SECRET}\r\n"}, "T") == SECRET
    assert secret_from({"T": " \n"}, "T") is None
    assert secret_from({}, "T") is None
    for inside in (" ", "\t", "\x00", "\x7f", "\u2028"):
        with pytest.raises(UsageError, match="T has a space or a control") as raised:
            secret_from({"T": f"first-part{inside}last-part\n"}, "T")
        assert "first-part" not in str(raised.value)
        assert "last-part" not in str(raised.value)
        assert "character 11 of 20" in str(raised.value)
