from cisr_desk.capture.separate import PageKind, separate

COUNTS = {"new": 2, "old": 1}


def kinds(*specs):
    out = []
    for n, spec in enumerate(specs, start=1):
        if spec is None:
            out.append(PageKind(n, None))
        elif spec == "att":
            out.append(PageKind(n, None, attachment=True))
        else:
            out.append(PageKind(n, spec[0], spec[1]))
    return out


def test_forms_back_to_back_with_separators_and_an_attachment():
    forms, loose = separate(kinds(None, ("new", 0), ("new", 1), "att", None, ("old", 0), ("new", 0), ("new", 1)), COUNTS)
    assert [f.file_pages for f in forms] == [[2, 3, 4], [6], [7, 8]]
    assert [f.missing for f in forms] == [[], [], []]
    assert loose == [1, 5]


def test_missing_second_page_is_still_a_form():
    forms, _ = separate(kinds(("new", 0), ("new", 0), ("new", 1)), COUNTS)
    assert [f.file_pages for f in forms] == [[1], [2, 3]]
    assert forms[0].missing == [1]


def test_second_page_without_first():
    forms, _ = separate(kinds(("new", 1), ("old", 0)), COUNTS)
    assert [f.file_pages for f in forms] == [[1], [2]]
    assert forms[0].missing == [0]
