from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person, shown in the app at once (the unread badge).

    ``event_key`` names the event (e.g. ``signoff:12:returned``): one message per event and
    recipient, whatever reruns or workers do (a unique constraint).
    """

    class Kind(models.TextChoices):
        DAILY_DIGEST = "daily_digest", _("整改提醒")
        SIGNOFF_SUBMITTED = "signoff_submitted", _("销号申请待审核")
        SIGNOFF_RETURNED = "signoff_returned", _("销号申请被退回")
        SIGNOFF_APPROVED = "signoff_approved", _("销号申请已批准")
        EXTENSION_REQUESTED = "extension_requested", _("延期申请待审核")
        EXTENSION_DECIDED = "extension_decided", _("延期申请已审核")
        ITEM_ASSIGNED = "item_assigned", _("整改事项交办")
        ITEM_REOPENED = "item_reopened", _("回头看重新打开")
        ESCALATED = "escalated", _("督办升级")
        DEADLINE_AHEAD = "deadline_ahead", _("临近完成时限")
        TEST = "test", _("测试消息")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices, default=Kind.DAILY_DIGEST)
    event_key = models.CharField(_("事件标识"), max_length=200)
    day = models.DateField(_("提醒日期"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    emailed = models.BooleanField(_("已发送邮件"), default=False)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_one_per_event_recipient"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboard:notification-open", args=[self.pk])


class Delivery(models.Model):
    """One event sent out through one channel (an e-mail address or an apprise URL).

    Written with the event, sent by the task queue; a failure is kept with its error and retried
    with back-off. ``(event_key, channel, target)`` is unique: never sent twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        DEPARTMENT = "department", _("部门渠道")
        OFFICE = "office", _("整改办渠道")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    event_key = models.CharField(_("事件标识"), max_length=200)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    target = models.CharField(_("发送地址"), max_length=1000)
    notification = models.ForeignKey(
        Notification, verbose_name=_("提醒"), on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    attachment = models.CharField(_("附件"), max_length=500, blank=True, help_text=_("MEDIA_ROOT 下的相对路径。"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    last_error = models.TextField(_("错误信息"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "channel", "target"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.title}（{self.get_channel_display()}，{self.get_state_display()}）"
