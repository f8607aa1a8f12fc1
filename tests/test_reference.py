"""The USPS reference data as the checks use it (zipcodes and us packages)."""
from cisr_desk.domain import reference


def test_zip_places():
    assert reference.zip_place("91766").city == "Pomona"
    assert reference.zip_place("13550") is None and not reference.zip_exists("13550")
    assert reference.zip_place("9176") is None
    assert reference.zip_matches_state("93101", "CA") and reference.zip_matches_state("93101", "LA") is False
    assert reference.zip_matches_city("91766", "pomona") and reference.zip_matches_city("91766", "P0M0NA") is False
    assert reference.zip_matches_city("91320", "Thousand Oaks")  # a USPS acceptable name
    assert reference.zip_matches_city("00000", "Pomona") is None


def test_city_names_compare_as_written():
    assert reference.city_key("Mt. Baldy") == reference.city_key("MOUNT BALDY")
    assert reference.known_city("Santa Barbara", "CA") and not reference.known_city("Santa Barbara", "LA")
    assert "91766" in reference.zips_of_city("Pomona", "CA")


def test_check_place_blames_the_odd_one_out():
    assert not reference.check_place("Santa Barbara", "CA", "93101")
    found = reference.check_place("Santa Barbara", "LA", "93101")
    assert found.state and not found.zip and not found.city
    found = reference.check_place("Santa Barbara", "CA", "13550")
    assert found.zip and not found.state
    assert reference.check_place("", "", "") == reference.PlaceCheck()


def test_states():
    assert reference.state_name("CA") == "California"
    assert reference.state_name("XX") is None


def test_address_lines():
    assert reference.check_address_line("5117 SEPULVEDA BLVD, SANTA ANA 92703") is None
    assert reference.check_address_line("760 HIGHLAND AVE ARCADIA 91007") is None
    assert reference.check_address_line("13974 MAIN ST, BIG BEAR LAKE 92315") is None
    assert "does not exist" in reference.check_address_line("13974 MAIN ST, BIG BEAR LAKE 13550")
    assert reference.check_address_line("28406 N MCTORIA AVE, MCTORVILLE 92394")
    assert reference.check_address_line("5627 BEACH BLVD, COMPTON") is None
    assert reference.check_address_line("5627 BEACH BLVD, C0MPT0N")


def test_the_zip_table_is_loaded_a_prefix_at_a_time_and_whole():
    import threading

    import zipcodes

    rows = list(reference._zip_rows())
    assert [r["zip_code"] for r in rows] == [r["zip_code"] for r in zipcodes.list_all()]
    # Threads that need the tables at once share one load.
    loaders = [threading.Thread(target=reference.load) for _ in range(3)]
    for t in loaders:
        t.start()
    for t in loaders:
        t.join()
    assert reference._tables() is reference._tables() and reference.zip_place("93401").city == "San Luis Obispo"
