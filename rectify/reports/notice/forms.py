"""Forms of the notice pages: the as-of day, the outcome records (成效) the notice reports, and the
upload of a published notice to import."""

from dataclasses import dataclass

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from rectify.accounts.models import Unit
from rectify.forms import BootstrapForm, BootstrapModelForm, DateInput
from rectify.ledger.models import Accountability, FundRecovery, Inspection, Meeting, RectificationItem, Regulation
from rectify.reports.excel.workbook import MAX_UPLOAD_BYTES

from .errors import NoticeFormatError
from .importer import parse_notice_file

ITEM_OF_ANOTHER_INSPECTION = _("所选整改事项不属于该巡视轮次。")


class AsOfForm(BootstrapForm):
    as_of = forms.DateField(label=_("截至日期"), required=False, widget=DateInput)


class OutcomeRecordForm(BootstrapModelForm):
    """A record of one inspection; the item it is linked to, if any, must be of the same inspection."""

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.instance.inspection = inspection
        if item_field := self.fields.get("item"):
            item_field.queryset = RectificationItem.objects.filter(inspection=inspection).order_by("number")
            item_field.label_from_instance = lambda item: f"{item.number}. {item.title}"
            item_field.error_messages["invalid_choice"] = ITEM_OF_ANOTHER_INSPECTION

    def clean_item(self):
        item = self.cleaned_data.get("item")
        if item is not None and item.inspection_id != self.inspection.pk:
            raise forms.ValidationError(ITEM_OF_ANOTHER_INSPECTION)
        return item


class MeetingForm(OutcomeRecordForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "held_on", "count"]
        widgets = {"held_on": DateInput}


class RegulationForm(OutcomeRecordForm):
    class Meta:
        model = Regulation
        fields = ["title", "document_number", "issued_on", "item"]
        widgets = {"issued_on": DateInput}


class FundRecoveryForm(OutcomeRecordForm):
    class Meta:
        model = FundRecovery
        fields = ["amount", "recovered_on", "description", "item"]
        widgets = {"recovered_on": DateInput}


class AccountabilityForm(OutcomeRecordForm):
    class Meta:
        model = Accountability
        fields = ["kind", "people", "decided_on", "note", "item"]
        widgets = {"decided_on": DateInput}


@dataclass(frozen=True)
class RecordKind:
    """One kind of outcome record, as the URLs name it."""

    slug: str
    form_class: type[OutcomeRecordForm]

    @property
    def model(self) -> type[models.Model]:
        return self.form_class._meta.model

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)


RECORD_KINDS = {
    kind.slug: kind
    for kind in (
        RecordKind("meetings", MeetingForm),
        RecordKind("regulations", RegulationForm),
        RecordKind("funds", FundRecoveryForm),
        RecordKind("accountability", AccountabilityForm),
    )
}


class NoticeImportForm(BootstrapForm):
    """A published notice to import as a new inspection: read and parsed here, so that a file that is
    not a notice is refused before anything is kept on the server."""

    file = forms.FileField(
        label=_("通报文件"),
        help_text=_(
            "已发布的整改进展情况通报：Word 文档（.docx）或文本文件（.txt，UTF-8 或 GBK 编码），不超过 20 MB。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt"}),
    )
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("（按通报所写的单位）"),
        help_text=_("新建的巡视轮次属于哪个单位；不选则按通报中的整改责任主体或被巡视单位匹配。"),
    )

    def __init__(self, *args, units, **kwargs):
        """``units``: those the user may import for; the choice is offered only when there are several."""
        super().__init__(*args, **kwargs)
        if units.count() > 1:
            self.fields["unit"].queryset = units
        else:
            del self.fields["unit"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，无法导入。"))
        try:
            self.parsed = parse_notice_file(data=upload.read(), filename=upload.name)
        except NoticeFormatError as error:
            raise forms.ValidationError(str(error)) from None
        upload.seek(0)
        return upload
