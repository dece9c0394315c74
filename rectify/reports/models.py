"""What each confirmed import created, so that it can be withdrawn (撤销本次导入)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRecord(models.Model):
    class Kind(models.TextChoices):
        LEDGER = "ledger", _("台账导入")
        NOTICE = "notice", _("通报导入")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    inspection = models.ForeignKey(
        "ledger.Inspection",
        verbose_name=_("巡视轮次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_records",
    )
    inspection_name = models.CharField(_("巡视轮次名称"), max_length=200)
    summary = models.CharField(_("结果"), max_length=500)
    # model label → primary keys of the rows this import created.
    created_objects = models.JSONField(_("新增对象"), default=dict)
    updated_count = models.PositiveIntegerField(_("更新事项数"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.file_name}（{self.inspection_name}）"

    @property
    def created_count(self) -> int:
        return sum(len(pks) for pks in self.created_objects.values())
