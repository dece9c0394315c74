"""The one form base of the project: Bootstrap 5 classes on every widget, and the date input.

Every app's forms derive from ``BootstrapForm`` or ``BootstrapModelForm`` (or mix ``BootstrapMixin``
into a form of Django's); filter forms use ``CompactFilterForm`` (the small variants).
"""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, as the picker expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _css_class(widget: forms.Widget, compact: bool) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select form-select-sm" if compact else "form-select"
    return "form-control form-control-sm" if compact else "form-control"


def _add_class(widget: forms.Widget, compact: bool) -> None:
    if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
        return
    if isinstance(widget, forms.MultiWidget):
        for sub in widget.widgets:
            _add_class(sub, compact)
        return
    classes = widget.attrs.get("class", "").split()
    classes += [css for css in _css_class(widget, compact).split() if css not in classes]
    widget.attrs["class"] = " ".join(classes)


class BootstrapMixin:
    """Adds the Bootstrap 5 class to each widget of the form (kept if the widget already has it)."""

    compact = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _add_class(field.widget, self.compact)


class BootstrapForm(BootstrapMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapMixin, forms.ModelForm):
    pass


class CompactFilterForm(BootstrapForm):
    """The form of a filter bar (django-filter's ``Meta.form``): the small Bootstrap variants."""

    compact = True
