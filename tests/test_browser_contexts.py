"""The shared browser contexts of tests/browser.py: what each test is promised (every request
off 127.0.0.1 refused and recorded, nothing of one test left for the next)."""

from pathlib import Path

import pytest

from tests.browser import Contexts
from tests.site_pages import serve

PAGE = """<!doctype html><title>x</title>
<img src="http://example.invalid/a.png" alt=""><img src="http://10.9.8.7/b.png" alt="">
<img src="c.png" alt="">"""


def test_a_request_off_127_0_0_1_is_refused_and_recorded(
    contexts: Contexts, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "c.png").write_bytes(b"")
    context = contexts.open()
    failed: list[str] = []
    context.context.on("requestfailed", lambda request: failed.append(request.url))
    with serve(tmp_path) as url:
        context.page(url)
        context.page("about:blank")
    assert sorted(context.outside) == ["http://10.9.8.7/b.png", "http://example.invalid/a.png"]
    assert sorted(failed) == sorted(context.outside)
    context.outside.clear()


def test_a_context_is_taken_back_as_a_new_one_would_be(contexts: Contexts, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    context = contexts.open(viewport={"width": 400, "height": 300}, color_scheme="dark")
    with serve(tmp_path) as url:
        page = context.page(url)
        context.context.route("**/gone", lambda route: route.abort())
        contexts.take_back()
        assert page.url == "about:blank"
        again = contexts.open().page(url)
        assert again.viewport_size == {"width": 1280, "height": 720}
        assert again.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") is False
        response = again.goto(url + "gone")  # the test's own route is gone with it
        assert response is not None
        assert response.status == 404
        again.goto(url)
        again.evaluate("localStorage.setItem('left', 'behind')")
        with pytest.raises(AssertionError, match="left 1 items in its storage"):
            contexts.take_back()
        again.evaluate("localStorage.clear()")
        contexts.open().page("about:blank")
