"""The item actions through the browser-facing views: three users on every action, uploads,
downloads, conflicts and bulk changes."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectify.ledger import services
from rectify.ledger.models import Evidence, Extension, Measure, ProgressUpdate, RectificationItem, SignOff
from tests.conftest import make_user
from tests.factories import make_item, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def item(department, other_department):
    """Led by `department` (the owner liaison's); `co_department` only co-operates."""
    return make_item(
        lead_department=department,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
        measures=["建立制度", "开展检查"],
    )


@pytest.fixture
def co_liaison(item):
    from rectify.accounts.models import Department
    from rectify.accounts.roles import Role

    co_department = Department.objects.create(unit=the_unit(), name="配合部门丙")
    item.co_departments.add(co_department)
    return make_user("co-liaison", Role.LIAISON, co_department)


def snapshot():
    """Everything an action could change."""
    return (
        list(RectificationItem.objects.values_list("status", "deadline", "version", "return_count").order_by("pk")),
        ProgressUpdate.objects.count(),
        Evidence.objects.count(),
        list(Measure.objects.values_list("is_done", flat=True).order_by("pk")),
        SignOff.objects.count(),
        Extension.objects.count(),
    )


def work_actions(item):
    """(url, data) for every action a liaison may take on their own item."""
    measure = item.measures.first()
    later = (item.deadline + datetime.timedelta(days=30)).isoformat()
    return {
        "progress": (
            reverse("ledger:add-progress", args=[item.pk]),
            {"text": "进展", "reported_on": timezone.localdate().isoformat()},
        ),
        "evidence": (
            reverse("ledger:add-evidence", args=[item.pk]),
            {"title": "材料", "file": SimpleUploadedFile("a.pdf", PDF)},
        ),
        "measure": (reverse("ledger:toggle-measure", args=[item.pk, measure.pk]), {}),
        "extension": (reverse("ledger:request-extension", args=[item.pk]), {"new_deadline": later, "reason": "理由"}),
        "signoff": (reverse("ledger:submit-signoff", args=[item.pk]), {"note": "完成"}),
    }


@pytest.mark.parametrize("action", ["progress", "evidence", "measure", "extension", "signoff"])
class TestWhoMayWork:
    def test_owner_liaison_may(self, client, item, liaison, action):
        if action == "signoff":
            services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", PDF))
        before = snapshot()
        url, data = work_actions(item)[action]
        client.force_login(liaison)
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
        assert snapshot() != before

    def test_liaison_of_another_department_gets_404(self, client, item, other_liaison, action):
        before = snapshot()
        url, data = work_actions(item)[action]
        client.force_login(other_liaison)
        assert client.post(url, data).status_code == 404
        assert snapshot() == before

    def test_co_operating_liaison_gets_403(self, client, item, co_liaison, action):
        before = snapshot()
        url, data = work_actions(item)[action]
        client.force_login(co_liaison)
        assert client.post(url, data).status_code == 403
        assert snapshot() == before

    def test_leader_gets_403(self, client, item, leader_user, action):
        before = snapshot()
        url, data = work_actions(item)[action]
        client.force_login(leader_user)
        assert client.post(url, data).status_code == 403
        assert snapshot() == before

    def test_get_is_not_allowed(self, client, item, liaison, action):
        url, _ = work_actions(item)[action]
        client.force_login(liaison)
        assert client.get(url).status_code == 405


class TestReview:
    @pytest.fixture
    def pending(self, item, liaison):
        services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", PDF))
        return services.submit_signoff(item_id=item.pk, user=liaison, note="完成")

    def test_liaison_cannot_approve_their_own_signoff(self, client, item, pending, liaison):
        before = snapshot()
        client.force_login(liaison)
        assert client.post(reverse("ledger:approve-signoff", args=[item.pk, pending.pk])).status_code == 403
        assert snapshot() == before

    def test_leader_cannot_approve(self, client, item, pending, leader_user):
        client.force_login(leader_user)
        assert client.post(reverse("ledger:approve-signoff", args=[item.pk, pending.pk])).status_code == 403

    def test_office_approves(self, client, item, pending, office_user):
        client.force_login(office_user)
        url = reverse("ledger:approve-signoff", args=[item.pk, pending.pk])
        response = client.post(url, follow=True)
        assert "已核查佐证材料" in response.content.decode()  # the confirmation is required
        item.refresh_from_db()
        assert item.status == Status.PENDING_SIGNOFF
        response = client.post(url, {"checked": "on"}, follow=True)
        assert "已批准销号" in response.content.decode()
        item.refresh_from_db()
        assert item.status == Status.COMPLETED

    def test_office_returns_with_reason(self, client, item, pending, office_user):
        client.force_login(office_user)
        response = client.post(
            reverse("ledger:return-signoff", args=[item.pk, pending.pk]), {"reason": ""}, follow=True
        )
        assert "这个字段是必填项" in response.content.decode()
        client.post(reverse("ledger:return-signoff", args=[item.pk, pending.pk]), {"reason": "材料不全"})
        item.refresh_from_db()
        assert item.status == Status.IN_PROGRESS and item.return_count == 1

    def test_signoff_of_another_item_is_404(self, client, item, pending, office_user):
        other = make_item(item.problem)
        client.force_login(office_user)
        response = client.post(reverse("ledger:approve-signoff", args=[other.pk, pending.pk]), follow=True)
        assert response.status_code == 404

    def test_extension_decision(self, client, item, liaison, office_user):
        later = item.deadline + datetime.timedelta(days=30)
        extension = services.request_extension(item_id=item.pk, user=liaison, new_deadline=later, reason="x")
        client.force_login(liaison)
        url = reverse("ledger:decide-extension", args=[item.pk, extension.pk])
        assert client.post(url, {"decision": "approve"}).status_code == 403
        client.force_login(office_user)
        client.post(url, {"decision": "approve", "note": ""})
        item.refresh_from_db()
        assert item.deadline == later

    def test_reopen(self, client, item, office_user, liaison):
        RectificationItem.objects.filter(pk=item.pk).update(status=Status.COMPLETED, completed_on=timezone.localdate())
        client.force_login(liaison)
        assert client.post(reverse("ledger:reopen", args=[item.pk]), {"reason": "x"}).status_code == 403
        client.force_login(office_user)
        later = timezone.localdate() + datetime.timedelta(days=30)
        client.post(reverse("ledger:reopen", args=[item.pk]), {"reason": "回头看", "deadline": later.isoformat()})
        item.refresh_from_db()
        assert item.status == Status.IN_PROGRESS


class TestEvidenceFiles:
    def test_upload_checked_by_content(self, client, item, liaison):
        client.force_login(liaison)
        url = reverse("ledger:add-evidence", args=[item.pk])
        for name, content, message in [
            ("renamed.pdf", b"<html><script>alert(1)</script></html>", "内容与扩展名"),
            ("page.html", b"<html></html>", "类型不受支持"),
            ("photo.jpg", PNG, "内容与扩展名"),
            ("empty.pdf", b"", "空文件"),
        ]:
            response = client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)
            assert message in response.content.decode(), name
        assert Evidence.objects.count() == 0

    def test_too_large(self, client, item, liaison, settings):
        settings.RECTIFY_EVIDENCE_MAX_BYTES = 100
        client.force_login(liaison)
        response = client.post(
            reverse("ledger:add-evidence", args=[item.pk]),
            {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 200)},
            follow=True,
        )
        assert "超过了" in response.content.decode()
        assert Evidence.objects.count() == 0

    def test_accepted_types(self, client, item, liaison):
        client.force_login(liaison)
        url = reverse("ledger:add-evidence", args=[item.pk])
        client.post(url, {"file": SimpleUploadedFile("扫描件.png", PNG)})
        client.post(url, {"file": SimpleUploadedFile("说明.pdf", PDF)})
        assert sorted(Evidence.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
        stored = Evidence.objects.get(original_name="说明.pdf")
        assert "说明" not in stored.file.name  # random name on disk

    def test_download_only_for_those_who_see_the_item(
        self, client, item, liaison, other_liaison, leader_user, co_liaison
    ):
        evidence = services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("说明.pdf", PDF))
        url = reverse("ledger:download-evidence", args=[item.pk, evidence.pk])
        for user in (liaison, leader_user, co_liaison):
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Disposition"].startswith("attachment")
        client.force_login(other_liaison)
        assert client.get(url).status_code == 404

    def test_progress_with_several_files(self, client, item, liaison):
        client.force_login(liaison)
        client.post(
            reverse("ledger:add-progress", args=[item.pk]),
            {
                "text": "已整改",
                "reported_on": timezone.localdate().isoformat(),
                "files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)],
            },
        )
        update = ProgressUpdate.objects.get()
        assert update.evidence.count() == 2


class TestEditing:
    def edit_data(self, item, **overrides):
        data = {
            "title": item.title,
            "kind": item.kind,
            "status": item.status,
            "deadline": item.deadline.isoformat(),
            "lead_department": item.lead_department_id,
            "version": item.version,
        }
        return {**data, **overrides}

    def test_office_edits(self, client, item, office_user):
        client.force_login(office_user)
        url = reverse("ledger:item-edit", args=[item.pk])
        assert client.get(url).status_code == 200
        response = client.post(url, self.edit_data(item, title="新标题"))
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.title == "新标题" and item.version == 2

    @pytest.mark.parametrize("who", ["liaison", "leader_user", "co_liaison"])
    def test_others_may_not_edit(self, client, item, who, request):
        user = request.getfixturevalue(who)
        client.force_login(user)
        url = reverse("ledger:item-edit", args=[item.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, self.edit_data(item, title="x")).status_code == 403
        item.refresh_from_db()
        assert item.title != "x"

    def test_second_save_is_refused_with_who_changed_it(self, client, item, office_user):
        colleague = make_user("colleague", None, is_staff=True, full_name="王同事")
        from django.contrib.auth.models import Group

        colleague.groups.add(Group.objects.get(name="纪工委工作人员"))
        url = reverse("ledger:item-edit", args=[item.pk])
        stale = self.edit_data(item)
        client.force_login(colleague)
        client.post(url, {**stale, "note": "同事先保存"})
        client.force_login(office_user)
        response = client.post(url, {**stale, "note": "我后保存"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "王同事" in body and "您的修改未保存" in body
        item.refresh_from_db()
        assert item.note == "同事先保存"


class TestBulk:
    def test_confirm_then_apply(self, client, item, office_user, other_department):
        second = make_item(item.problem)
        client.force_login(office_user)
        data = {"items": [item.pk, second.pk], "action": "lead_department", "lead_department": other_department.pk}
        response = client.post(reverse("ledger:bulk-action"), data)
        assert response.status_code == 200
        assert "将责任部门设为「测试部门乙」" in response.content.decode()
        assert not RectificationItem.objects.filter(lead_department=other_department).exists()
        client.post(reverse("ledger:bulk-action"), {**data, "confirm": "yes"})
        assert RectificationItem.objects.filter(lead_department=other_department).count() == 2

    def test_missing_value_is_refused(self, client, item, office_user):
        client.force_login(office_user)
        response = client.post(
            reverse("ledger:bulk-action"), {"items": [item.pk], "action": "deadline", "confirm": "yes"}, follow=True
        )
        assert "请填写「新的完成时限」" in response.content.decode()

    def test_only_the_discipline_office(self, client, item, liaison, leader_user):
        for user in (liaison, leader_user):
            client.force_login(user)
            response = client.post(
                reverse("ledger:bulk-action"),
                {"items": [item.pk], "action": "status", "status": "completed", "confirm": "yes"},
            )
            assert response.status_code == 403
        item.refresh_from_db()
        assert item.status == Status.NOT_STARTED

    def test_list_shows_checkboxes_only_to_the_office(self, client, item, office_user, leader_user):
        client.force_login(office_user)
        assert 'name="items"' in client.get("/items/").content.decode()
        client.force_login(leader_user)
        assert 'name="items"' not in client.get("/items/").content.decode()
