"""Forms of the staff workspace. Labels come from the models' Chinese verbose names."""

import calendar
import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.accounts.selectors import choosable_departments, choosable_leaders
from rectify.chinese import chinese_date
from rectify.forms import BootstrapForm, BootstrapModelForm, DateInput

from .models import Inspection, RectificationItem
from .services import BulkAction
from .uploads import ALLOWED, ALLOWED_LABEL

ACCEPT = ",".join(ALLOWED)


class ItemEditForm(BootstrapModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = RectificationItem
        fields = [
            "title",
            "detail",
            "goal",
            "kind",
            "leaders",
            "lead_department",
            "co_departments",
            "contact_person",
            "deadline",
            "summary",
            "note",
        ]
        widgets = {
            "deadline": DateInput(),
            "detail": forms.Textarea(attrs={"rows": 3}),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 2}),
            # Checkbox lists: one click never silently drops the other choices (as Ctrl-click does).
            "leaders": forms.CheckboxSelectMultiple,
            "co_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        # Deactivated departments and leaders are offered only where the item already names them.
        item = self.instance
        named = item.pk is not None
        unit = item.inspection.unit_id if item.inspection_id else None
        self.fields["leaders"].queryset = choosable_leaders(item.leaders.values("pk") if named else (), units=unit)
        self.fields["co_departments"].queryset = choosable_departments(
            item.co_departments.values("pk") if named else (), units=unit
        )
        self.fields["lead_department"].queryset = choosable_departments([item.lead_department_id], units=unit)

    def clean(self):
        cleaned = super().clean()
        lead, co = cleaned.get("lead_department"), cleaned.get("co_departments") or []
        if lead and lead in co:
            self.add_error("co_departments", _("责任部门不能同时作为配合部门。"))
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ProgressForm(BootstrapForm):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    reported_on = forms.DateField(label=_("报告日期"), widget=DateInput(), initial=timezone.localdate)
    files = MultipleFileField(label=_("佐证材料"), required=False, help_text=_("可多选；支持 %s。") % ALLOWED_LABEL)
    # On a phone this opens the camera straight away; the photo is checked like any evidence file.
    photos = MultipleFileField(
        label=_("拍照上传"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
        help_text=_("用手机拍摄现场照片作为佐证材料（JPG、PNG）。"),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["files"] = [*(cleaned.get("files") or []), *(cleaned.pop("photos", None) or [])]
        return cleaned


class EvidenceForm(BootstrapForm):
    title = forms.CharField(label=_("材料名称"), max_length=200, required=False)
    file = forms.FileField(label=_("文件"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class SignOffForm(BootstrapForm):
    note = forms.CharField(label=_("销号说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ExtensionForm(BootstrapForm):
    new_deadline = forms.DateField(label=_("申请延至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ExtensionDecisionForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("审核结果"), choices=[("approve", _("批准")), ("refuse", _("不予批准"))])
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class ApproveForm(BootstrapForm):
    """批准销号: the reviewer confirms having checked the evidence, and may date the completion earlier."""

    completed_on = forms.DateField(
        label=_("完成日期"), widget=DateInput(), required=False, help_text=_("默认为今天；可填更早的实际完成日期。")
    )
    note = forms.CharField(label=_("审核意见"), max_length=2000, required=False)
    checked = forms.BooleanField(label=_("已核查佐证材料，同意销号"))


class ReopenForm(BootstrapForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    deadline = forms.DateField(label=_("新的完成时限"), widget=DateInput())


class LongTermForm(BootstrapForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    next_review_on = forms.DateField(label=_("下次复查日期"), widget=DateInput())


class BulkActionForm(BootstrapForm):
    """A bulk transition. The list shows only the chosen action's control; this form checks that the
    chosen action has what it needs."""

    ACTIONS = [
        (BulkAction.APPROVE, _("批准销号申请")),
        (BulkAction.RETURN, _("退回销号申请")),
        (BulkAction.DEADLINE, _("调整完成时限（记为延期）")),
        (BulkAction.DEPARTMENT, _("设置责任部门")),
        (BulkAction.LEADERS, _("设置责任领导")),
    ]
    MODES = [("replace", _("替换原有责任领导")), ("append", _("追加，保留原有责任领导"))]

    items = forms.ModelMultipleChoiceField(
        label=_("整改事项"), queryset=RectificationItem.objects.all(), widget=forms.MultipleHiddenInput
    )
    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS)
    reason = forms.CharField(label=_("理由"), max_length=2000, required=False)
    deadline = forms.DateField(label=_("新的完成时限"), widget=DateInput(), required=False)
    lead_department = forms.ModelChoiceField(label=_("责任部门"), queryset=choosable_departments(), required=False)
    leaders = forms.ModelMultipleChoiceField(
        label=_("责任领导"), queryset=choosable_leaders(), required=False, widget=forms.CheckboxSelectMultiple
    )
    mode = forms.ChoiceField(label=_("责任领导"), choices=MODES, initial="replace", required=False)

    NEEDS = {
        BulkAction.RETURN: ["reason"],
        BulkAction.DEADLINE: ["deadline", "reason"],
        BulkAction.DEPARTMENT: ["lead_department"],
        BulkAction.LEADERS: ["leaders", "mode"],
    }

    def clean(self):
        cleaned = super().clean()
        for name in self.NEEDS.get(cleaned.get("action"), []):
            if not cleaned.get(name):
                self.add_error(name, _("请填写「%s」。") % self.fields[name].label)
        return cleaned

    def arguments(self) -> dict:
        """The keyword arguments of ``services.bulk_apply`` (and ``describe_bulk``)."""
        data = self.cleaned_data
        return {
            "action": data["action"],
            "reason": data.get("reason") or "",
            "deadline": data.get("deadline"),
            "lead_department": data.get("lead_department"),
            "leaders": list(data.get("leaders") or []),
            "append": data.get("mode") == "append",
        }


def _day(value: str, label: str) -> datetime.date:
    """A YYYY-MM-DD day, or a Chinese message naming the field and the value."""
    value = (value or "").strip()
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise forms.ValidationError(
            f"无法识别的{label}：{value or '（空）'}（应为 YYYY-MM-DD，如 2023-12-18）", code="invalid"
        ) from None


def _check_past_day(day: datetime.date, label: str, *, inspection: Inspection, today: datetime.date) -> None:
    """A day of the round's history: not after today, not before its feedback date."""
    if day > today:
        raise forms.ValidationError(
            f"{label}{chinese_date(day)}晚于今天（{chinese_date(today)}）：那一天的台账还不知道。", code="future"
        )
    if inspection.feedback_date and day < inspection.feedback_date:
        raise forms.ValidationError(
            f"{label}{chinese_date(day)}早于“{inspection}”的反馈日期（{chinese_date(inspection.feedback_date)}）："
            "那时还没有整改台账。",
            code="before_feedback",
        )


class AsOfForm(BootstrapForm):
    """``?as_of=YYYY-MM-DD`` of the item list: a day of the round's history."""

    as_of = forms.CharField(label=_("截至日期"), required=False, widget=DateInput())

    def __init__(self, *args, inspection: Inspection, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection, self.today = inspection, today

    def clean_as_of(self) -> datetime.date:
        day = _day(self.cleaned_data["as_of"], "截至日期")
        _check_past_day(day, "截至日期", inspection=self.inspection, today=self.today)
        return day


def month_before(day: datetime.date) -> datetime.date:
    """The same day of the previous month (its last day when the month is shorter)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ChangesForm(BootstrapForm):
    """``?from=…&to=…`` of the changes page; left out: the last month (from the feedback date at
    the earliest), up to today."""

    start = forms.CharField(label=_("起始日期"), required=False, widget=DateInput())
    end = forms.CharField(label=_("截止日期"), required=False, widget=DateInput())

    def __init__(self, data, *, inspection: Inspection, today: datetime.date):
        # The query string says from/to; "from" is a Python keyword, so the fields are start/end.
        super().__init__({"start": data.get("from", ""), "end": data.get("to", "")})
        self.inspection, self.today = inspection, today

    def clean_end(self) -> datetime.date:
        if not self.cleaned_data["end"].strip():
            return self.today
        day = _day(self.cleaned_data["end"], "截止日期")
        _check_past_day(day, "截止日期", inspection=self.inspection, today=self.today)
        return day

    def clean_start(self) -> datetime.date | None:
        if not self.cleaned_data["start"].strip():
            return None  # the default depends on the end: see clean()
        day = _day(self.cleaned_data["start"], "起始日期")
        _check_past_day(day, "起始日期", inspection=self.inspection, today=self.today)
        return day

    def clean(self):
        data = super().clean()
        end = data.get("end")
        if end is None or "start" not in data:
            return data
        if data["start"] is None:
            start = month_before(end)
            feedback = self.inspection.feedback_date
            data["start"] = max(start, feedback) if feedback else start
        if data["start"] >= end:
            raise forms.ValidationError(
                f"起始日期{chinese_date(data['start'])}应早于截止日期{chinese_date(end)}。", code="order"
            )
        return data
