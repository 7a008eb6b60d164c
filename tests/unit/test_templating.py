"""Template helpers: text typed by people, durations."""
import datetime as dt

from app.templating import elapsed, plain_text


def test_elapsed_reads_like_a_person_says_it(app):
    start = dt.datetime(2026, 3, 1, 9, 0)
    assert elapsed(start, start + dt.timedelta(minutes=45)) == "45 min"
    assert elapsed(start, start + dt.timedelta(hours=3, minutes=5)) == "3 h 05"
    assert elapsed(start, start + dt.timedelta(days=2, hours=4)) == "2 j 4 h"
    assert elapsed(start, None) == "" and elapsed(start, start - dt.timedelta(hours=1)) == ""


def test_plain_text_escapes_html_keeps_lines_and_links_addresses():
    html = str(plain_text('<img src=x onerror=alert(1)>\nVoir https://ex.fr/a?b=1&c=2. "javascript:x"'))
    assert html.startswith("&lt;img src=x onerror=alert(1)&gt;<br>")
    assert '<a href="https://ex.fr/a?b=1&amp;c=2" rel="noopener noreferrer nofollow"' in html
    assert "</a>. &#34;javascript:x&#34;" in html  # the full stop stays outside the link
    assert 'href="javascript' not in html


def test_plain_text_link_cannot_break_out_of_its_attribute():
    html = str(plain_text('https://ex.fr/"onmouseover="alert(1)'))
    assert 'onmouseover="alert' not in html
