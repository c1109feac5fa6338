"""The wide tables (the index's table of sites, a scenario page's side-by-side table) in
headless Chromium at a phone's 390 px and at 1280 px: the table scrolls sideways in a box
focusable by keyboard and named by its caption, the caption stays put, and on the phone a note
and shadows at the box's edges show that it scrolls. Screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import launched, serve, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENSHOTS = Path("/tmp/atlas_screenshots")
"""Where the screenshots go (overwritten each run)."""

TABLES = {
    "index": ("index.html", "site-table"),
    "scenario": ("scenarios/baotou/index.html", "facts-table"),
}
"""Each wide table: its page and its id."""


@pytest.fixture(scope="module")
def base_url(built_site):
    with serve(built_site) as url:
        yield url


@pytest.mark.parametrize("kind", TABLES)
def test_a_wide_table_scrolls_under_its_caption_with_a_cue_on_a_phone(base_url, kind):
    page_name, table_id = TABLES[kind]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with launched() as browser:
        for width in (390, 1280):
            with visit(browser, f"{base_url}/{page_name}", width) as (tab, record):
                assert record.errors == []
                table = tab.locator(f"#{table_id}")
                box = table.locator("xpath=..")
                caption_id = table.get_attribute("aria-labelledby")
                caption = tab.locator(f"#{caption_id}")
                assert caption_id
                assert box.get_attribute("class") == "table-scroll"
                assert box.get_attribute("tabindex") == "0"
                assert box.get_attribute("aria-labelledby") == caption_id
                name = caption.inner_text()
                assert tab.get_by_role("region", name=name, exact=True).count() == 1
                assert tab.get_by_role("table", name=name, exact=True).count() == 1
                assert box.locator(f"#{caption_id}").count() == 0  # does not scroll with it
                note = tab.locator(f"#{caption_id} ~ .scroll-note").first
                background = box.evaluate("b => getComputedStyle(b).backgroundAttachment")
                assert "local" in background  # the shadows' covers scroll with the table
                caption.scroll_into_view_if_needed()
                tab.screenshot(path=str(SCREENSHOTS / f"wide_table_{kind}_{width}.png"))
                overflow = box.evaluate("b => b.scrollWidth - b.clientWidth")
                if width > 1000:
                    assert overflow == 0
                    assert not note.is_visible()
                    continue
                assert overflow > 100
                assert note.is_visible()
                assert note.inner_text() == "Scroll the table sideways for more columns."
                box.focus()
                before = caption.bounding_box()
                for _ in range(3):
                    tab.keyboard.press("ArrowRight")
                tab.wait_for_function(
                    "b => b.scrollLeft > 0", arg=box.element_handle(), timeout=2000
                )
                box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
                tab.screenshot(path=str(SCREENSHOTS / f"wide_table_{kind}_{width}_scrolled.png"))
                after = caption.bounding_box()
                assert (after["x"], after["y"]) == (before["x"], before["y"])
                assert after["x"] + after["width"] <= width
