"""The quiz page stays light for slow phones, and every asset is served locally."""
import re

from tests.test_citizen_flow import register, start

LIMIT_BYTES = 60 * 1024


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_quiz_page_with_css_and_js_under_60_kb(client, contest):
    register(client)
    attempt_id = start(client)
    html = client.get(f"/thi/{attempt_id}").get_data(as_text=True)
    total = len(html.encode())
    for url in linked_assets(html):
        if "/fonts/" in url:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        total += len(response.data)
        response.close()
    assert total < LIMIT_BYTES, f"quiz page weighs {total} bytes"


def test_no_asset_comes_from_another_host(client, contest):
    for path in ("/", "/dang-ky", "/dang-nhap", "/quan-tri/dang-nhap"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r'(?:href|src)="(?:https?:)?//', html), path
