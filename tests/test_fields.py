from cisr_desk.domain.fields import FieldType as T, display, format_error, normalise


def test_normal_forms():
    assert normalise(T.ACCOUNT, "3-068-7357-26") == "3068735726"
    assert normalise(T.PHONE, "(805) 864-8431") == "8058648431"
    assert normalise(T.PHONE, "1 805 864 8431") == "8058648431"
    assert normalise(T.DATE, "04/22/2026") == "2026-04-22"
    assert normalise(T.DATE, "4/2/2026") == "2026-04-02"
    assert normalise(T.EMAIL, "Ana@BigBear.Example") == "ana@bigbear.example"
    assert normalise(T.DRP_ID, "drp 0370") == "DRP0370"
    assert normalise(T.STATE, "c a") == "CA"
    assert normalise(T.TEXT, "  ACME   SUPPLY\tLLC ") == "ACME SUPPLY LLC"
    assert normalise(T.TEXT, "") == ""


def test_unparseable_values_are_kept_for_the_rule_to_report():
    assert normalise(T.DATE, "13/45/2026") == "13/45/2026"
    assert format_error(T.DATE, "13/45/2026") is not None


def test_format_errors():
    assert format_error(T.ACCOUNT, "3068735726", "sa1_number") is None
    assert "service account" in format_error(T.ACCOUNT, "2068735726", "sa1_number")
    assert "customer account" in format_error(T.ACCOUNT, "3068735726", "customer_account")
    assert format_error(T.ACCOUNT, "306873572", "sa1_number")
    assert format_error(T.ZIP, "9303") and format_error(T.ZIP, "93030") is None
    assert format_error(T.STATE, "XX") and format_error(T.STATE, "CA") is None
    assert format_error(T.EMAIL, "a@b") and format_error(T.EMAIL, "a@b.example") is None
    assert format_error(T.DRP_ID, "DRP37") and format_error(T.DRP_ID, "DRP0370") is None


def test_display_is_the_printed_form():
    assert display(T.ACCOUNT, "2629639614") == "2-62-963-9614"
    assert display(T.ACCOUNT, "3068735726") == "3-068-7357-26"
    assert display(T.PHONE, "8058648431") == "(805) 864-8431"
    assert display(T.DATE, "2026-04-22") == "04/22/2026"
