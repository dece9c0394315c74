from django.contrib import admin

from rectify.accounts.channels import masked_channel_url

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what went out through which channel, and why it failed."""

    list_display = ("title", "channel", "shown_target", "state", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("state", "channel")
    search_fields = ("title", "event_key")

    @admin.display(description="发送地址")
    def shown_target(self, delivery):
        return delivery.target if delivery.channel == Delivery.Channel.EMAIL else masked_channel_url(delivery.target)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
