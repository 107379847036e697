"""One truth per reader: each notice words each group of data for what it is, in the right voice.

The sheets are in tests/sheets/readers/ and their notices are golden files too
(tests/test_golden.py): these tests state what a reviewer checks in them.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

from notifier.checks import errors, run_checks
from notifier.render import RenderedNotice, render_sheet
from notifier.sheet import load_sheet

READERS = ROOT / "tests" / "sheets" / "readers"


def notices(name: str) -> dict[str, RenderedNotice]:
    sheet = load_sheet(READERS / f"{name}.yaml")
    result = render_sheet(sheet)
    assert result.refused == {}
    assert errors(run_checks(sheet, result)) == []
    return {n.audience_id: n for n in result.notices}


def flat(text: str) -> str:
    return " ".join(text.split())


def section(text: str, start: str, end: str) -> str:
    flat_text = flat(text)
    return flat_text[flat_text.index(start):flat_text.index(end, flat_text.index(start))]


def test_involved_possibly_and_not_involved_are_worded_for_each_reader() -> None:
    found = notices("hotel")
    earlier = flat(found["earlier-guests"].text)
    involved = section(found["earlier-guests"].text, "Involved:", "May have been involved")
    possibly = section(found["earlier-guests"].text, "May have been involved", "Not involved:")
    # never a run of field names a spam filter reads as a form (FILL_THIS_FORM_LONG)
    assert "your name and email address, as well as your postal address" in involved
    assert "passport" not in involved and "full payment card number" not in involved
    assert "your passport number" in possibly and "your full payment card number" in possibly
    assert "Watch for misuse of your passport number" in earlier  # a precaution is still advised
    # the risks of what only may have been involved are said as conditions
    assert "If your passport number was involved, someone could use it" in earlier
    later = flat(found["later-guests"].text)
    later_lists = section(found["later-guests"].text, "Involved:", "Your booking did not")
    assert "May have been involved" not in later and "passport" not in later_lists
    # the summary speaks of older bookings' cards and passports: these readers are told
    # theirs held neither
    assert "Your booking did not hold your card or passport details." in later
    assert "Involved: - Contact details: your name and email address Not involved:" in later


def test_the_offer_goes_only_to_the_audience_it_is_for() -> None:
    found = notices("hotel")
    assert "12 months of credit monitoring" in flat(found["earlier-guests"].text)
    assert "credit monitoring" not in flat(found["later-guests"].text)


def test_a_service_provider_speaks_as_one() -> None:
    found = notices("clearinghouse")
    patients = flat(found["patients"].text)
    assert "We are MedBridge Claims, and we provide services to Riverside Dental Group." in patients
    assert found["patients"].subject == "Riverside Dental Group: a security incident at MedBridge Claims"
    assert "some information about you was involved" in patients
    for wrong in ("you gave us", "You trusted us", "with us", "your password"):
        assert wrong not in patients
    assert "We are sorry: it was our job to keep it safe, and we did not." in patients
    # a name alone reaches no one: no scam-message risk is drawn from it
    assert "scam emails" not in patients


def test_the_provider_is_told_its_patients_data_was_taken() -> None:
    group = notices("clearinghouse")["dental-group"]
    text = flat(group.text)
    assert group.subject == "Security incident at MedBridge Claims involving your patients' data"
    assert "information about your patients" in text
    assert ("Involved: - Your patients' names and dates of birth, as well as their health "
            "information") in text
    assert "We provide services to" not in text  # the readers are the ones we provide them to
    # the patients get their own notice from this sheet: the group is told so, and asked to
    # coordinate anything it sends
    assert "We are writing to them ourselves on April 10, 2026." in text
    # a business associate identifies each person to the covered entity (45 CFR 164.410(c))
    assert ("We will send you, separately and securely, a list of your patients who are "
            "affected and what was involved for each of them.") in text
    assert "We will tell you which of your patients are affected" not in text
    assert "Change your password" not in text


def test_a_precautionary_reset_is_not_an_emergency() -> None:
    text = flat(notices("logging-bug")["users"].text)
    assert "as a precaution" in text
    assert "change it now" not in text and "Anyone who has it" not in text
    assert "Please change your Quillpad password as a precaution." in text
    assert "none of them did" in text  # who could read the log, and whether they did
    assert "between 20 April 2026 and 28 April 2026" in text


def test_a_sheet_defines_a_category_the_vocabulary_lacks() -> None:
    found = notices("dental")
    text = flat(found["patients"].text)
    involved = section(found["patients"].text, "Involved:", "Not involved:")
    assert "the dates and times of your appointments" in involved
    assert "health" not in involved
    assert "Check calls about your appointments" in text
    assert "If patients ask" in flat(found["team"].text)


def test_reader_sheets_are_golden() -> None:
    golden = ROOT / "tests" / "golden"
    for path in sorted(READERS.glob("*.yaml")):
        assert (golden / load_sheet(path).id / "manifest.json").is_file(), path.name


def test_the_sheets_are_here() -> None:
    assert {p.stem for p in READERS.glob("*.yaml")} == {"hotel", "clearinghouse", "logging-bug",
                                                        "dental"}
    assert all(isinstance(p, Path) for p in READERS.iterdir())
