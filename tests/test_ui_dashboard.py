"""The dashboard screen draws its charts from the desk's figures, and says so when there are none."""
from __future__ import annotations

from cisr_desk.store import fakes

from ui_support import make_ctx, make_pdf, open_desk


def test_dashboard_shows_the_days_work(qtbot, tmp_path):
    from cisr_desk.ui.dashboard import DashboardScreen

    extractor = fakes.FakeExtractor()
    desk = open_desk(tmp_path, extractor=extractor)
    for i in (1, 2):
        name = f"scan{i}.pdf"
        extractor.results[name] = [fakes.form(fakes.clean_values(i), doubtful=["customer_name"] if i == 2 else [])]
        desk.import_files([make_pdf(tmp_path / name, name)], "clerk")
    [first, second] = desk.record_ids()
    desk.submit(first, "clerk")
    desk.set_field(second, "customer_name", "A Corrected Name", "clerk")
    desk.flag(second, "signature differs", "clerk")

    screen = DashboardScreen(make_ctx(desk, "supervisor", tmp_path))
    qtbot.addWidget(screen)
    screen.resize(1100, 640)
    screen.activate()  # the fake pool runs the read at once
    board = screen.board
    assert board.days[-1].received == 2 and board.days[-1].flagged == 1
    assert "Oldest unfinished form: #2" in screen.backlog.text()
    assert "1 flagged" in screen.open_now.text()
    titles = [ax.get_title(loc="left") for chart in (screen.flow, screen.review, screen.pace, screen.corrections)
              for ax in chart.figure.axes]
    assert titles == ["Forms per day", "Capture: fields sent to review, and right when accepted on its own",
                      "Forms per hour, by clerk", "Fields corrected per form, by clerk"]
    # One day of captures is drawn on the period's days, as the forms beside it, not on years of axis.
    from matplotlib.dates import num2date

    [review] = screen.review.figure.axes
    first, last = (num2date(x).date() for x in review.get_xlim())
    assert (last - first).days == len(board.days)  # half a day either side of the period
    [pace] = screen.pace.figure.axes
    assert [t.get_text() for t in pace.get_yticklabels()] == ["clerk"]
    assert pace.get_ylim() == (3.5, -0.5)  # one clerk's bar at the top of room for four, not the whole chart
    screen.period.setCurrentIndex(0)  # another period reads again
    assert len(screen.board.days) == 7
    desk.close()


def test_an_empty_desk_says_there_is_nothing_yet(qtbot, tmp_path):
    from cisr_desk.ui.dashboard import DashboardScreen

    desk = open_desk(tmp_path)
    screen = DashboardScreen(make_ctx(desk, "supervisor", tmp_path))
    qtbot.addWidget(screen)
    screen.activate()
    assert "No backlog" in screen.backlog.text()
    [ax] = screen.flow.figure.axes
    assert ax.texts[0].get_text() == "Nothing received or decided in this period"
    desk.close()
