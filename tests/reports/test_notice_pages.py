"""The notice pages: who may read the draft and who may keep its outcome records; constant query counts."""

import datetime
import io

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.ledger.models import Accountability, FundRecovery, Inspection, Meeting, Regulation
from rectify.reports.notice import selectors
from rectify.reports.notice.draft import build_notice_draft
from tests.factories import make_inspection, make_item, make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection():
    inspection = make_inspection(name="甲巡视", inspecting_body="省委第一巡视组", inspected_unit="甲单位")
    problem = make_problem(inspection, title="作风不实。")
    make_item(problem, title="会议多。", measures=["精简会议"])
    return inspection


@pytest.fixture
def other_item():
    """An item of another inspection."""
    return make_item(make_problem(make_inspection(name="乙巡视")), title="别处的事项。")


def detail_url(inspection: Inspection) -> str:
    return reverse("reports:notice-detail", args=[inspection.pk])


def add_url(inspection: Inspection, kind: str) -> str:
    return reverse("reports:notice-record-add", args=[inspection.pk, kind])


def edit_url(record, kind: str) -> str:
    return reverse("reports:notice-record-edit", args=[record.inspection_id, kind, record.pk])


def delete_url(record, kind: str) -> str:
    return reverse("reports:notice-record-delete", args=[record.inspection_id, kind, record.pk])


class TestReading:
    @pytest.mark.parametrize("who", ["office_user", "leader_user"])
    def test_readers_see_the_draft_and_download_it(self, client, request, inspection, who):
        client.force_login(request.getfixturevalue(who))
        response = client.get(detail_url(inspection))
        assert response.status_code == 200
        assert "1.会议多。" in response.content.decode()
        assert client.get(reverse("reports:notice-index")).status_code == 200
        download = client.get(reverse("reports:notice-docx", args=[inspection.pk]), {"as_of": "2099-01-01"})
        assert download.status_code == 200
        assert download["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in download["Content-Disposition"]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs)
        assert "1.会议多。" in text and "2099年1月1日" in text

    def test_only_the_office_sees_the_edit_buttons(self, client, inspection, office_user, leader_user):
        Meeting.objects.create(inspection=inspection, kind=Meeting.Kind.WEEKLY, count=3)
        client.force_login(leader_user)
        page = client.get(detail_url(inspection)).content.decode()
        assert "周例会 3 次" in page and add_url(inspection, "meetings") not in page
        client.force_login(office_user)
        assert add_url(inspection, "meetings") in client.get(detail_url(inspection)).content.decode()

    @pytest.mark.parametrize("who", ["sysadmin", "liaison"])
    def test_those_who_do_not_see_the_whole_ledger_are_refused(self, client, request, inspection, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("reports:notice-index")).status_code == 403
        assert client.get(detail_url(inspection)).status_code == 403
        assert client.get(reverse("reports:notice-docx", args=[inspection.pk])).status_code == 403

    def test_anonymous_is_sent_to_log_in(self, client, inspection):
        response = client.get(detail_url(inspection))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))

    def test_as_of_and_bad_dates(self, client, inspection, office_user):
        client.force_login(office_user)
        page = client.get(detail_url(inspection), {"as_of": "2024-02-30"})
        assert page.status_code == 200 and "截至日期格式不正确" in page.content.decode()
        assert page.context["draft"].as_of == timezone.localdate()
        download = client.get(reverse("reports:notice-docx", args=[inspection.pk]), {"as_of": "昨天"})
        assert download.status_code == 400
        assert client.get(reverse("reports:notice-detail", args=[999999])).status_code == 404

    def test_text_is_escaped(self, client, inspection, office_user):
        make_item(inspection.problems.get(), title="<script>alert(1)</script>")
        client.force_login(office_user)
        page = client.get(detail_url(inspection)).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


class TestQueryCounts:
    def test_the_draft_reads_a_fixed_number_of_queries(self, inspection):
        """1 latest notice + 5 for today's ledger (items with problem and department, then leaders,
        co-departments, measures, progress) + 5 for section 一 (meetings, accountability, regulations,
        funds, working groups) — whatever the number of items."""
        today = timezone.localdate()
        with CaptureQueriesContext(connection) as few:
            build_notice_draft(inspection=inspection, as_of=today)
        problem = make_problem(inspection)
        for _ in range(5):
            make_item(problem, measures=["甲", "乙"])
        Regulation.objects.create(inspection=inspection, title="制度")
        with CaptureQueriesContext(connection) as many:
            build_notice_draft(inspection=inspection, as_of=today)
        assert len(few) == len(many) == 11

    def test_outcome_records_read_four_queries(self, inspection, django_assert_num_queries):
        """One per kind of record; the linked items come in the same query (select_related)."""
        item = inspection.items.get()
        for n in range(3):
            Regulation.objects.create(inspection=inspection, title=f"制度{n}", item=item)
            FundRecovery.objects.create(inspection=inspection, amount=n, item=item)
            Accountability.objects.create(inspection=inspection, kind="criticism", people=1, item=item)
        with django_assert_num_queries(4):
            records = selectors.outcome_records(inspection)
            assert [r.item.number for r in records.regulations + records.fund_recoveries] == [1] * 6

    def test_the_page_does_not_grow_with_the_ledger(self, client, inspection, office_user):
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as few:
            assert client.get(detail_url(inspection)).status_code == 200
        problem = make_problem(inspection)
        for _ in range(5):
            make_item(problem, measures=["甲", "乙"])
        Regulation.objects.create(inspection=inspection, title="制度", item=inspection.items.first())
        Meeting.objects.create(inspection=inspection, kind=Meeting.Kind.WEEKLY, count=2)
        with CaptureQueriesContext(connection) as many:
            assert client.get(detail_url(inspection)).status_code == 200
        assert len(few) == len(many)


class TestOutcomeRecords:
    def test_office_adds_edits_and_deletes(self, client, inspection, office_user):
        client.force_login(office_user)
        item = inspection.items.get()
        response = client.post(
            add_url(inspection, "regulations"),
            {"title": "会议管理办法", "document_number": "甲发〔2023〕1号", "issued_on": "2023-11-01", "item": item.pk},
        )
        assert response.status_code == 302
        assert response["Location"] == f"{detail_url(inspection)}#records-regulations"
        regulation = Regulation.objects.get()
        assert (regulation.inspection, regulation.item, regulation.issued_on) == (
            inspection,
            item,
            datetime.date(2023, 11, 1),
        )

        response = client.post(edit_url(regulation, "regulations"), {"title": "会议管理办法（修订）", "item": ""})
        assert response.status_code == 302
        regulation.refresh_from_db()
        assert (regulation.title, regulation.item) == ("会议管理办法（修订）", None)

        assert client.get(delete_url(regulation, "regulations")).status_code == 200  # the confirmation page
        assert client.post(delete_url(regulation, "regulations")).status_code == 302
        assert not Regulation.objects.exists()

    @pytest.mark.parametrize(
        ("kind", "data", "model"),
        [
            ("meetings", {"kind": "weekly", "count": "12", "title": "", "held_on": ""}, Meeting),
            ("funds", {"amount": "12.5", "recovered_on": "2023-12-01", "description": "追回补贴"}, FundRecovery),
            ("accountability", {"kind": "admonition", "people": "2", "note": ""}, Accountability),
        ],
    )
    def test_each_kind_can_be_added(self, client, inspection, office_user, kind, data, model):
        client.force_login(office_user)
        form_page = client.get(add_url(inspection, kind))
        assert form_page.status_code == 200 and 'class="form-control' in form_page.content.decode()
        assert client.post(add_url(inspection, kind), data).status_code == 302
        assert model.objects.get().inspection == inspection

    def test_invalid_input_is_shown_in_chinese(self, client, inspection, office_user):
        client.force_login(office_user)
        response = client.post(add_url(inspection, "meetings"), {"kind": "weekly", "count": "0"})
        assert response.status_code == 200
        assert "次数" in response.content.decode() and not Meeting.objects.exists()

    def test_an_item_of_another_inspection_is_refused(self, client, inspection, other_item, office_user):
        client.force_login(office_user)
        response = client.post(add_url(inspection, "regulations"), {"title": "制度", "item": other_item.pk})
        assert response.status_code == 200
        assert "所选整改事项不属于该巡视轮次" in response.content.decode()
        assert not Regulation.objects.exists()

        regulation = Regulation.objects.create(inspection=inspection, title="制度", item=inspection.items.get())
        response = client.post(edit_url(regulation, "regulations"), {"title": "制度", "item": other_item.pk})
        assert response.status_code == 200
        regulation.refresh_from_db()
        assert regulation.item.inspection == inspection

    def test_a_record_is_reached_only_through_its_own_inspection(self, client, inspection, other_item, office_user):
        client.force_login(office_user)
        elsewhere = Meeting.objects.create(inspection=other_item.inspection, kind=Meeting.Kind.WEEKLY)
        url = reverse("reports:notice-record-edit", args=[inspection.pk, "meetings", elsewhere.pk])
        assert client.get(url).status_code == 404
        assert client.get(add_url(inspection, "banquets")).status_code == 404

    @pytest.mark.parametrize("who", ["leader_user", "liaison", "sysadmin"])
    def test_others_may_not_write(self, client, request, inspection, who):
        meeting = Meeting.objects.create(inspection=inspection, kind=Meeting.Kind.WEEKLY, count=1)
        client.force_login(request.getfixturevalue(who))
        assert client.get(add_url(inspection, "meetings")).status_code == 403
        assert client.post(add_url(inspection, "meetings"), {"kind": "weekly", "count": "5"}).status_code == 403
        assert client.post(edit_url(meeting, "meetings"), {"kind": "weekly", "count": "5"}).status_code == 403
        assert client.post(delete_url(meeting, "meetings")).status_code == 403
        meeting.refresh_from_db()
        assert meeting.count == 1 and Meeting.objects.count() == 1

    def test_anonymous_writes_go_to_log_in(self, client, inspection):
        response = client.post(add_url(inspection, "meetings"), {"kind": "weekly", "count": "5"})
        assert response.status_code == 302 and not Meeting.objects.exists()
