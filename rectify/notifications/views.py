"""The office's 通知渠道 page: each channel with 发送测试消息, and the failed deliveries (发送失败)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services


def _office_only(request):
    if not request.user.has_perm("notifications.manage_channels"):
        raise PermissionDenied("只有纪工委工作人员可以管理通知渠道。")


def channels(request):
    _office_only(request)
    failed = [(delivery, selectors.shown_target(delivery)) for delivery in selectors.failed_deliveries(request.user)]
    return render(
        request,
        "notifications/channels.html",
        {
            "channels": selectors.channels(request.user),
            "failed": failed,
            "max_attempts": settings.RECTIFY_NOTIFY_MAX_ATTEMPTS,
        },
    )


@require_POST
def send_test(request):
    _office_only(request)
    channel = selectors.channel(request.user, request.POST.get("channel", ""))
    if channel is None:
        messages.error(request, "没有这个通知渠道，请刷新页面后重试。")
        return redirect("notifications:channels")
    delivery = services.send_test(user=request.user, url=channel.url, label=channel.label)
    if delivery.state == delivery.State.SENT:
        messages.success(request, f"测试消息已发往「{channel.label}」（{channel.shown}）。")
    elif delivery.state == delivery.State.FAILED:
        messages.error(request, f"测试消息发往「{channel.label}」失败：{delivery.last_error}（将自动重试）")
    else:
        messages.info(request, f"测试消息已排队，稍后由后台任务发往「{channel.label}」。")
    return redirect("notifications:channels")
