from django import forms
from django.utils.translation import gettext_lazy as _

from rectify.accounts.models import Unit
from rectify.forms import BootstrapForm, DateInput
from rectify.ledger.models import Inspection

from .errors import LedgerImportError
from .options import ALL_UNITS
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


class UnitExportForm(BootstrapForm):
    """Which unit's ledger to download (the units below it included), for a user with several."""

    unit = forms.ChoiceField(label=_("单位"), help_text=_("含下级单位；多个巡视轮次时合为一个工作簿，并按单位排名。"))
    as_of = forms.DateField(label=_("截至日期"), required=False, help_text=_("留空为今天。"), widget=DateInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(ALL_UNITS, _("全部单位"))] + [
            (unit.pk, "\u3000" * (unit.depth - 1) + unit.name) for unit in units
        ]
        self.fields["unit"].widget.attrs["id"] = "id_export_unit"
        self.fields["as_of"].widget.attrs["id"] = "id_export_unit_as_of"


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
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("（按文件所写的单位）"),
        help_text=_("新建的巡视轮次、部门和责任领导都属于该单位；导入到已有巡视轮次时须与该轮次的单位一致。"),
    )

    def __init__(self, *args, rounds, units=None, unit_required=False, **kwargs):
        """``units``: the units the user may import into; the choice is shown only when there are
        several. ``unit_required``: a new round must name its unit (the user's scope is part of
        the tree, so the file's unit cannot be trusted to be in it)."""
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = rounds.order_by("-feedback_date", "-pk")
        if units is None or not units[1:2].exists():
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units
            self.unit_required = unit_required
            if unit_required:
                self.fields["unit"].empty_label = _("（请选择）")

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
        unit, inspection = cleaned.get("unit"), cleaned.get("inspection")
        if unit is not None and inspection is not None and inspection.unit_id != unit.pk:
            self.add_error(
                "unit",
                f"所选巡视轮次「{inspection.name}」属于「{inspection.unit.name}」，不属于所选单位「{unit.name}」。",
            )
        elif "unit" in self.fields and self.unit_required and unit is None and has_title:
            self.add_error("unit", _("请选择新巡视轮次所属的单位。"))
        return cleaned
