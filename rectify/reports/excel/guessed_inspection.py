"""The inspection a new import creates: its inspecting body, inspected unit and kind, guessed
from the title row (…落实…反馈问题整改台账) and the 填报单位."""

import re

from rectify.ledger.models import Inspection

from .rows import ParsedLedger

NOT_FILLED = "未填写"

_KINDS = [
    ("延伸巡视", Inspection.Kind.EXTENDED),
    ("专项巡视", Inspection.Kind.SPECIAL),
    ("巡察", Inspection.Kind.PATROL),
    ("审计", Inspection.Kind.AUDIT),
    ("巡视", Inspection.Kind.INSPECTION),
]
_EXPORTED_TITLE = re.compile(
    r"(?P<unit>.+?)落实(?P<body>.+?)(?P<kind>延伸巡视|专项巡视|巡视|巡察|审计)?反馈问题整改台账"
)
_BODY = re.compile(
    r"((?:中央|省委|市委|县委|区委|州委|盟委|旗委|[^\s，,。]{0,8}?(?:审计厅|审计局|审计署))[^\s，,。]*?(?:组|厅|局|署))"
)


def exported_title_fields(title: str) -> dict | None:
    """inspected_unit, inspecting_body and kind of a title in the export's own form
    (…落实…反馈问题整改台账), None for any other title."""
    match = _EXPORTED_TITLE.fullmatch(title.strip())
    if match is None:
        return None
    kind = next((k for word, k in _KINDS if word == match["kind"]), Inspection.Kind.OTHER)
    return {"inspected_unit": match["unit"], "inspecting_body": match["body"], "kind": kind}


def inspection_fields(parsed: ParsedLedger) -> dict:
    """inspecting_body, inspected_unit and kind guessed from the title row; 未填写 when unknown."""
    title = parsed.title
    fields = {"inspecting_body": NOT_FILLED, "inspected_unit": parsed.reporting_unit or NOT_FILLED}
    kind = None
    if match := _EXPORTED_TITLE.search(title):
        fields.update(inspecting_body=match["body"], inspected_unit=match["unit"])
        # The export's own title names the kind right before 反馈问题 (none for 其他).
        kind = next((k for word, k in _KINDS if word == match["kind"]), Inspection.Kind.OTHER)
    else:
        if match := _BODY.search(title):
            fields["inspecting_body"] = match[1]
        if unit := re.split(r"关于|落实|贯彻|对照", title, maxsplit=1)[0].strip():
            if unit != title:
                fields["inspected_unit"] = unit
    fields["inspecting_body"] = fields["inspecting_body"][:100]
    fields["inspected_unit"] = fields["inspected_unit"][:100]
    fields["kind"] = kind or next((k for word, k in _KINDS if word in title), Inspection.Kind.INSPECTION)
    if parsed.reporting_unit:
        fields["responsible_unit"] = parsed.reporting_unit[:100]
    return fields
