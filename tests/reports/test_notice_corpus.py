"""The corpus: notices of the shapes units publish, each read and imported exactly as its expected file says.

Each ``notices/NN_name.txt`` is a notice written for these tests on the structure of a published one;
``NN_name.json`` holds what a reader finds in it: the problems' titles, and per item its problem (1-based),
title, number of measures and status, and how many stated totals disagree with the outline. Notices marked
``"docx": true`` are imported as Word documents built from the text, lines starting with ``|`` becoming
the rows of a table (an empty cell is merged with the cell above, as Word's vertical merge does).
"""

import pytest

from rectify.ledger.models import FeedbackProblem, Measure, RectificationItem
from rectify.reports.models import ImportRecord
from rectify.reports.notice.importer import import_notice, parse_notice_file
from tests.reports.notice_corpus import CORPUS, NOTICES, expected_of, file_of


def outline_of(parsed) -> dict:
    problems = parsed.problems
    return {
        "problems": [problem.title for problem in problems],
        "items": [
            [problems.index(item.problem) + 1, item.title, len(item.measures), item.status] for item in parsed.items
        ],
        "mismatches": len(parsed.mismatches),
    }


def test_the_corpus_has_every_shape():
    assert len(NOTICES) >= 12
    assert sum(bool(expected_of(name).get("docx")) for name in NOTICES) >= 2
    assert all((CORPUS / f"{name}.json").is_file() for name in NOTICES)


@pytest.mark.parametrize("name", NOTICES)
def test_each_notice_parses_as_expected(name):
    expected = expected_of(name)
    parsed = parse_notice_file(data=file_of(name)[0], filename=file_of(name)[1])
    assert outline_of(parsed) == {key: expected[key] for key in ("problems", "items", "mismatches")}
    assert [item.number for item in parsed.items] == list(range(1, len(parsed.items) + 1))
    assert not [w for w in parsed.warnings if "没有" in w], parsed.warnings


@pytest.mark.django_db
@pytest.mark.parametrize("name", NOTICES)
def test_each_notice_imports_exactly(name):
    expected = expected_of(name)
    data, filename = file_of(name)
    result = import_notice(parsed=parse_notice_file(data=data, filename=filename), file_name=filename)
    inspection = result.inspection
    problems = list(FeedbackProblem.objects.filter(inspection=inspection).order_by("sequence"))
    assert [problem.title for problem in problems] == expected["problems"]
    items = list(RectificationItem.objects.filter(inspection=inspection).order_by("number"))
    assert [
        [problems.index(item.problem) + 1, item.title, item.measures.count(), item.status] for item in items
    ] == expected["items"]
    assert all((item.kind == RectificationItem.Kind.LONG_TERM) == (item.status == "ongoing") for item in items)
    assert Measure.objects.filter(item__inspection=inspection).count() == sum(row[2] for row in expected["items"])
    assert ImportRecord.objects.get(pk=result.record.pk).kind == ImportRecord.Kind.NOTICE
