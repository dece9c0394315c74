"""The one form base (rectify/forms.py): Bootstrap classes on every widget, the date input."""

import datetime

from django import forms

from rectify.forms import BootstrapForm, BootstrapMixin, CompactFilterForm, DateInput


class Sample(BootstrapForm):
    name = forms.CharField()
    kind = forms.ChoiceField(choices=[("a", "甲")])
    many = forms.MultipleChoiceField(choices=[("a", "甲")], widget=forms.CheckboxSelectMultiple)
    flag = forms.BooleanField(required=False)
    day = forms.DateField(widget=DateInput)
    marked = forms.CharField(widget=forms.TextInput(attrs={"class": "text-end form-control"}))
    secret = forms.CharField(widget=forms.HiddenInput)
    span = forms.SplitDateTimeField()


def classes(form, name) -> list[str]:
    return form.fields[name].widget.attrs.get("class", "").split()


def test_each_kind_of_widget_gets_its_bootstrap_class():
    form = Sample()
    assert classes(form, "name") == ["form-control"]
    assert classes(form, "kind") == ["form-select"]
    assert classes(form, "many") == ["form-check-input"]
    assert classes(form, "flag") == ["form-check-input"]
    assert classes(form, "marked") == ["text-end", "form-control"]  # kept, not doubled
    assert classes(form, "secret") == []
    assert [sub.attrs["class"] for sub in form.fields["span"].widget.widgets] == ["form-control", "form-control"]


def test_the_compact_variant_for_filter_bars():
    class Filters(CompactFilterForm):
        q = forms.CharField()
        kind = forms.ChoiceField(choices=[("a", "甲")])

    form = Filters()
    assert classes(form, "q") == ["form-control", "form-control-sm"]
    assert classes(form, "kind") == ["form-select", "form-select-sm"]


def test_the_date_input_is_the_browsers_picker_in_iso_form():
    html = str(Sample(initial={"day": datetime.date(2024, 3, 9)})["day"])
    assert 'type="date"' in html and 'value="2024-03-09"' in html


def test_the_mixin_serves_forms_of_django():
    from django.contrib.auth.forms import PasswordChangeForm

    class Form(BootstrapMixin, PasswordChangeForm):
        pass

    form = Form(user=None)
    assert all("form-control" in field.widget.attrs["class"] for field in form.fields.values())


def test_every_app_uses_the_one_base():
    from rectify.accounts.forms import PasswordChangeForm
    from rectify.ledger.forms import ItemEditForm, ProgressForm
    from rectify.reports.excel.forms import LedgerExportForm, LedgerImportForm
    from rectify.reports.notice.forms import AsOfForm, MeetingForm

    for form_class in (PasswordChangeForm, ItemEditForm, ProgressForm, LedgerExportForm, LedgerImportForm, AsOfForm):
        assert issubclass(form_class, BootstrapMixin), form_class
    assert issubclass(MeetingForm, BootstrapMixin)
