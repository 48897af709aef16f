from datetime import UTC, date, datetime, time

from capqvct.calls.deadlines import days_left, deadline_instant, describe_deadline, is_before_deadline
from capqvct.core.formatting import NBSP

REUNION, PARIS, MARTINIQUE = "Indian/Reunion", "Europe/Paris", "America/Martinique"


def test_la_reunion_inclusive_day_ends_at_midnight_reunion_time():
    deadline = deadline_instant(day=date(2022, 9, 5), at=None, zone=REUNION)

    assert is_before_deadline(datetime(2022, 9, 5, 19, 59, 59, 999000, tzinfo=UTC), deadline)
    assert not is_before_deadline(datetime(2022, 9, 5, 20, 0, 0, tzinfo=UTC), deadline)
    assert describe_deadline(deadline, REUNION) == f"le 5{NBSP}septembre 2022 inclus (heure de La Réunion)"


def test_bourgogne_deadline_at_five_pm_paris_summer_time():
    deadline = deadline_instant(day=date(2018, 10, 10), at=time(17, 0), zone=PARIS)

    assert is_before_deadline(datetime(2018, 10, 10, 15, 0, 0, 400000, tzinfo=UTC), deadline)
    assert not is_before_deadline(datetime(2018, 10, 10, 15, 0, 1, tzinfo=UTC), deadline)
    assert describe_deadline(deadline, PARIS) == f"le 10{NBSP}octobre 2018 à 17{NBSP}h (heure de Paris)"


def test_martinique_is_four_hours_behind_utc():
    deadline = deadline_instant(day=date(2023, 6, 28), at=None, zone=MARTINIQUE)
    assert deadline.astimezone(UTC) == datetime(2023, 6, 29, 3, 59, 59, tzinfo=UTC)


def test_the_switch_to_summer_time_moves_the_utc_instant_not_the_local_hour():
    before = deadline_instant(day=date(2022, 3, 26), at=time(12, 0), zone=PARIS)
    after = deadline_instant(day=date(2022, 3, 27), at=time(12, 0), zone=PARIS)
    assert before.astimezone(UTC).hour == 11
    assert after.astimezone(UTC).hour == 10


def test_days_left_counts_calendar_days_in_the_regions_zone():
    deadline = deadline_instant(day=date(2022, 9, 5), at=None, zone=REUNION)
    # 4 September 21:00 UTC is already 5 September in La Réunion.
    assert days_left(datetime(2022, 9, 4, 21, 0, tzinfo=UTC), deadline, REUNION) == 0
    assert days_left(datetime(2022, 9, 2, 12, 0, tzinfo=UTC), deadline, REUNION) == 3
