"""Shared fixtures: the seed ledger, users in each role, and a headless Chromium."""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from rectify.accounts.models import Department, User
from rectify.accounts.roles import Role
from tests.factories import the_unit

CHROMIUM = Path(os.environ.get("RECTIFY_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "Test#Passw0rd-2023"


def pytest_collection_modifyitems(config, items):
    """Tests that commit for real (``django_db(transaction=True)``) are marked ``commits``: the
    flush after each also removes the role groups the data migration made, so they run in the
    serial pass after the rest (Makefile). Browser tests need Debian's Chromium; without it they
    are reported as skipped, loudly."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") or "transactional_db" in item.fixturenames:
            item.add_marker(pytest.mark.commits)
    if CHROMIUM.exists():
        return
    reason = f"没有找到 {CHROMIUM}：浏览器测试未运行（apt-get install chromium fonts-wqy-microhei）"
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skipif(True, reason=reason))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, tmp_path_factory, django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file (one per xdist worker), not shared-cache memory: the
    file runs with the embedded default's WAL, busy timeout and BEGIN IMMEDIATE, so tests with two
    connections at once (an import racing a web edit, two workers) run there as on PostgreSQL."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.getbasetemp() / f"test-{worker}.sqlite3")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches per ledger revision (the last history ids), and ids rolled back at the
    end of one test come round again in the next on SQLite: no test sees another's entries."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects production, not the test suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Tests run queued tasks in-process (django-tasks' immediate backend), never a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.RECTIFY_NOTIFY_URLS = []


@pytest.fixture
def seed(db):
    """The 怀化高新区 seed ledger."""
    call_command("loaddata", "seed_huaihua_2023", verbosity=0)


def make_user(username: str, role: Role | None, department: Department | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, department=department, **extra)
    if role is not None:
        # get_or_create: transactional (browser) tests flush the groups the data migration made.
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


@pytest.fixture
def department(db):
    return Department.objects.create(unit=the_unit(), name="测试部门甲")


@pytest.fixture
def other_department(db):
    return Department.objects.create(unit=the_unit(), name="测试部门乙")


@pytest.fixture
def office_user(db):
    return make_user("office", Role.DISCIPLINE_OFFICE, is_staff=True)


@pytest.fixture
def liaison(department):
    """The owner: liaison of the item's lead department."""
    return make_user("liaison", Role.LIAISON, department)


@pytest.fixture
def other_liaison(other_department):
    """A colleague of another department: an outsider to the item."""
    return make_user("liaison2", Role.LIAISON, other_department)


@pytest.fixture
def leader_user(db):
    return make_user("leader", Role.LEADER)


@pytest.fixture
def sysadmin(db):
    return make_user("sysadmin", Role.SYSADMIN, is_staff=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts_dir(tmp_path_factory) -> Path:
    """Screenshots go here (a temp dir; kept under test-artifacts/ too when RECTIFY_KEEP_ARTIFACTS is set)."""
    path = tmp_path_factory.mktemp("browser")
    yield path
    keep = os.environ.get("RECTIFY_KEEP_ARTIFACTS")
    if keep:
        shutil.copytree(path, Path(keep), dirs_exist_ok=True)
