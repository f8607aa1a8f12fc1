"""``cisr-desk check``: every part the desk reads and shows with, named found or missing."""
from __future__ import annotations

from cisr_desk.cli.check import CHECKS, run_checks
from cisr_desk.cli.main import main


def test_check_finds_every_part_of_this_installation(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert f"{len(CHECKS)} of {len(CHECKS)} parts found" in out
    for what, _, _ in CHECKS:
        assert f"ok       {what}" in out
    # The installer's smoke run calls check: a bundle without the fine-tuned weights says so.
    assert "last layers fine-tuned (recogniser-tuned.npz)" in out


def test_a_missing_part_is_named_with_what_is_lost_and_the_rest_still_checked():
    def broken() -> str:
        raise ModuleNotFoundError("No module named 'wordfreq'")

    results = run_checks((("English words", "misread words are not repaired", broken),
                          ("fine", "nothing", lambda: "found")))
    assert results == [("English words", False, "No module named 'wordfreq' — misread words are not repaired"),
                       ("fine", True, "found")]


def test_check_says_how_many_parts_are_missing_and_fails(monkeypatch, capsys):
    import cisr_desk.cli.check as check

    def gone() -> str:
        raise RuntimeError("the phone number data (phonenumberslite package) are missing")

    monkeypatch.setattr(check, "CHECKS", (("phone numbers", "a phone number no one has is not doubted", gone),))
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "MISSING  phone numbers  the phone number data (phonenumberslite package) are missing — " \
           "a phone number no one has is not doubted" in out
    assert "0 of 1 parts found; 1 missing" in out
