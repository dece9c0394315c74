"""The audit log as an .xlsx workbook (streamed row by row: the log may be long)."""

import io

from django.utils import timezone
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["时间", "事件", "用户", "IP 地址", "对象", "变更内容", "详情", "访问路径"]


def _changes(changes: dict) -> str:
    return "；".join(f"{label}：{old} → {new}" for label, (old, new) in changes.items())


def audit_workbook(events) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    sheet.append(HEADER)
    for event in events.iterator(chunk_size=2000):
        sheet.append(
            [
                timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                event.get_kind_display(),
                event.username,
                event.ip_address or "",
                event.object_repr,
                _changes(event.changes),
                event.detail,
                event.path,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
