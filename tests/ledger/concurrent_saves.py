"""Saves of one item from several threads at once, on a file-based SQLite database.

Run by tests/ledger/test_sqlite_concurrency.py in a child process (with DATABASE_URL naming an
empty SQLite file, so that the project's own SQLite settings apply). Prints one JSON line:
the HTTP status of every save and how many progress reports were stored.
"""

import datetime
import json
import os
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from rectify.accounts.models import Department, User  # noqa: E402
from rectify.accounts.roles import Role  # noqa: E402
from rectify.ledger.models import FeedbackProblem, Inspection, Measure, ProgressUpdate, RectificationItem  # noqa: E402
from tests.factories import the_unit  # noqa: E402

THREADS = int(os.environ.get("CONCURRENT_SAVES", "6"))


def setup() -> tuple[RectificationItem, list[User]]:
    call_command("migrate", verbosity=0)
    department = Department.objects.create(unit=the_unit(), name="并发测试部门")
    inspection = Inspection.objects.create(
        unit=the_unit(), name="并发测试巡视", inspecting_body="省委巡视组", inspected_unit="测试单位"
    )
    problem = FeedbackProblem.objects.create(inspection=inspection, sequence=1, title="问题")
    item = RectificationItem.objects.create(
        inspection=inspection, problem=problem, number=1, title="并发事项", lead_department=department
    )
    for sequence in range(1, THREADS + 1):
        Measure.objects.create(item=item, sequence=sequence, text=f"措施{sequence}")
    group = Group.objects.get(name=Role.LIAISON.value)
    users = []
    for n in range(THREADS):
        user = User.objects.create_user(username=f"liaison{n}", password="x", department=department)
        user.groups.add(group)
        users.append(user)
    return item, users


def main():
    item, users = setup()
    measures = list(item.measures.order_by("sequence"))
    connection.close()
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def save(n: int):
        client = Client(raise_request_exception=False)
        client.force_login(users[n])
        barrier.wait()
        progress = client.post(
            reverse("ledger:add-progress", args=[item.pk]),
            {"text": f"第{n}次并发报告", "reported_on": datetime.date.today().isoformat()},
        )
        toggle = client.post(reverse("ledger:toggle-measure", args=[item.pk, measures[n].pk]))
        with lock:
            statuses.extend([progress.status_code, toggle.status_code])
        connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = ProgressUpdate.objects.filter(item=item).count()
    done = Measure.objects.filter(item=item, is_done=True).count()
    print(json.dumps({"statuses": statuses, "progress_stored": stored, "measures_done": done}))


if __name__ == "__main__":
    main()
