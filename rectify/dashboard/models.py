# The reminders moved to rectify.notifications (rectify/notifications/models.py), where the
# ledger may record its events.
