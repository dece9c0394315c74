"""Every number on the dashboard links to the list of the items it counts (issue 17, item 6)."""

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from rectify.ledger.models import RectificationItem

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
DIGIT = re.compile(r"\d")


class _Numbers(HTMLParser):
    """Each text with a digit inside a figure (``data-figure``) or a ranking cell (not the rank),
    with the link around it, if any. The plan reconciliation counts the plan, not listed items."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def _counted(self) -> bool:
        figures = [attrs.get("data-figure") for _tag, attrs in self.stack if attrs.get("data-figure")]
        if figures:
            return "reconciliation" not in figures
        in_ranking = any(attrs.get("data-list") == "department-ranking" for _tag, attrs in self.stack)
        if not in_ranking or not any(tag == "tbody" for tag, _attrs in self.stack):
            return False
        row = next(i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i][0] == "tr")
        return "data-rank" not in self.stack[row + 1][1]  # the rank cell is marked data-rank

    def handle_data(self, data):
        if DIGIT.search(data) and self._counted():
            href = next((attrs.get("href") for tag, attrs in reversed(self.stack) if tag == "a"), None)
            self.found.append((data.strip(), href))


def _numbers(client, user, **params):
    client.force_login(user)
    cache.clear()
    parser = _Numbers()
    parser.feed(client.get("/", params).content.decode())
    return parser.found


def _listed(client, href: str) -> int:
    response = client.get(href.replace("&amp;", "&"))
    assert response.status_code == 200, href
    return response.context["table"].paginator.count


@pytest.mark.parametrize("user_fixture", ["office_user", "leader_user"])
def test_every_number_on_the_dashboard_links_to_its_items(client, seed, request, user_fixture):
    found = _numbers(client, request.getfixturevalue(user_fixture))
    assert len(found) > 20  # 8 figures, 2 rates, 4 escalation levels, 3 numbers per ranked department
    unlinked = [text for text, href in found if href is None]
    assert unlinked == []
    if user_fixture != "office_user":
        return  # the same links; followed once
    # Each link lists as many items as the number says (rates: the items they count).
    for text, href in found:
        count = _listed(client, href)
        if text.endswith("%"):
            continue
        assert count == int(re.search(r"\d+", text)[0]), (text, href)


def test_the_rates_and_the_ranking_list_what_they_count(client, seed, office_user):
    found = dict((text, href) for text, href in _numbers(client, office_user))
    assert _listed(client, found["95.2%"]) == 20  # completed ÷ all
    cache.clear()  # rendered afresh: the context holds the figures
    response = client.get("/")
    figures = response.context["figures"]
    closed_href = re.search(r'href="([^"]+)" data-figure="closed_rate"', response.content.decode())[1]
    assert _listed(client, closed_href) == figures.completed + figures.ongoing
    for row, links in response.context["ranking"]:
        assert _listed(client, links["total"]) == row.total
        assert _listed(client, links["overdue"]) == row.overdue
        assert _listed(client, links["completed"]) == row.counts[Status.COMPLETED]


def test_each_month_of_the_completion_trend_links_to_its_items(client, seed, office_user):
    client.force_login(office_user)
    cache.clear()
    trend = client.get("/").context["charts"]["trend"]
    assert len(trend["urls"]) == len(trend["months"]) == len(trend["cumulative_urls"]) > 1
    for count, total, url, cumulative_url in zip(
        trend["completed"], trend["cumulative"], trend["urls"], trend["cumulative_urls"], strict=True
    ):
        assert _listed(client, url) == count
        assert _listed(client, cumulative_url) == total
