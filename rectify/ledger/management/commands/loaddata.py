"""``loaddata`` that records no history of its own: a fixture carries its history with it.

Django saves fixture rows raw, which django-simple-history already skips; but it restores
many-to-many fields through ``.set()``, which simple-history would record as a change dated
today. Loading the seed would then claim that every item changed on the day it was loaded.
"""

from django.conf import settings
from django.core.management.commands import loaddata


class Command(loaddata.Command):
    def handle(self, *fixture_labels, **options):
        previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
        settings.SIMPLE_HISTORY_ENABLED = False
        try:
            return super().handle(*fixture_labels, **options)
        finally:
            settings.SIMPLE_HISTORY_ENABLED = previous
