"""Who may see the channels and failed deliveries, and send test messages: the discipline office."""

import rules

from rectify.accounts.rules import is_discipline_office

rules.add_perm("notifications.manage_channels", is_discipline_office)
