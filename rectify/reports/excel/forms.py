from django import forms
from django.utils.translation import gettext_lazy as _

from rectify.forms import BootstrapForm, DateInput
from rectify.ledger.models import Inspection

from .errors import LedgerImportError
from .reader import check_ledger_file
from .workbook import ACCEPTED_SUFFIXES, MAX_UPLOAD_BYTES


class LedgerExportForm(BootstrapForm):
    """Which ledger to download: the inspection and the day it stood as of (default today)."""

    inspection = forms.ModelChoiceField(
        label=_("巡视轮次"),
        queryset=Inspection.objects.active().order_by("-feedback_date", "-pk"),
        empty_label=None,
    )
    as_of = forms.DateField(
        label=_("截至日期"),
        required=False,
        help_text=_("留空为今天；过去的日期按当日的台账重建。"),
        widget=DateInput,
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = rounds.order_by("-feedback_date", "-pk")


class LedgerImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("台账文件"),
        help_text=_(
            "Excel 工作簿（.xlsx 或旧版 .xls）、ODS 表格（.ods），或台账表格形式的 Word 文档（.docx），不超过 20 MB。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )
    inspection = forms.ModelChoiceField(
        label=_("导入到已有巡视轮次"),
        queryset=Inspection.objects.active().order_by("-feedback_date", "-pk"),
        required=False,
        empty_label=_("（不选：新建巡视轮次）"),
        help_text=_("序号相同的整改事项将被更新，其余新增。"),
    )
    title = forms.CharField(
        label=_("或新建巡视轮次，名称"),
        required=False,
        max_length=Inspection._meta.get_field("name").max_length,
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = rounds.order_by("-feedback_date", "-pk")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，无法导入。"))
        try:
            check_ledger_file(upload)
        except LedgerImportError as error:
            raise forms.ValidationError(error.messages) from None
        upload.seek(0)
        return upload

    def clean(self):
        cleaned = super().clean()
        has_inspection = cleaned.get("inspection") is not None
        has_title = bool((cleaned.get("title") or "").strip())
        if has_inspection == has_title:
            raise forms.ValidationError(_("请选择要导入到的巡视轮次，或填写新巡视轮次的名称（二者选一）。"))
        return cleaned
