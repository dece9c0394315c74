"""Every package in requirements.txt is used: imported by the project, its tests or benchmarks,
or run as a command (or loaded as middleware or plugin) where the table below says.

Being listed in INSTALLED_APPS is not use: django-htmx and django-crispy-forms were configured
there while no template or view used them."""

import re
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Packages that are run, or loaded by name, rather than imported: where that is written down.
NOT_IMPORTED = {
    "whitenoise": ("rectify/settings.py", "whitenoise.middleware.WhiteNoiseMiddleware"),
    "gunicorn": ("deploy/rectify.service", "bin/gunicorn"),
    "ruff": ("Makefile", "-m ruff"),
    "pytest-xdist": ("Makefile", "-n $(PYTEST_WORKERS)"),
    "pytest-django": ("pyproject.toml", "DJANGO_SETTINGS_MODULE"),
    "django-tasks-db": ("rectify/settings.py", "django_tasks_db.DatabaseBackend"),
}


def requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [re.split(r"[=<>\[; ]", line, maxsplit=1)[0] for line in lines if line.strip() and not line.startswith("#")]


def project_sources() -> str:
    files = [
        path for folder in ("rectify", "tests", "bench", "fixtures", "deploy") for path in (ROOT / folder).rglob("*.py")
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_requirement_is_used():
    modules = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            modules.setdefault(normalise(distribution), set()).add(module)
    sources = project_sources()
    unused = []
    for requirement in requirements():
        name = normalise(requirement)
        if name in NOT_IMPORTED:
            path, text = NOT_IMPORTED[name]
            if text not in (ROOT / path).read_text(encoding="utf-8"):
                unused.append(requirement)
            continue
        imported = any(
            re.search(rf"^\s*(import|from)\s+{re.escape(module)}\b", sources, re.M) for module in modules.get(name, ())
        )
        if not imported:
            unused.append(requirement)
    assert unused == [], f"requirements.txt 中未被使用的包：{unused}"
