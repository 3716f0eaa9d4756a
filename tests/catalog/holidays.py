"""Holiday calendars for the pure tests, built without the database."""

from datetime import date, timedelta
from functools import cache

import chinese_calendar

from catalog.working_days import HolidayCalendar

COVERED_YEARS = range(2020, 2027)


@cache
def chinese_calendar_2020_2026() -> HolidayCalendar:
    """The State Council's arrangements for 2020–2026, from `chinese-calendar` directly."""
    exceptions = {}
    day = date(COVERED_YEARS[0], 1, 1)
    while day.year <= COVERED_YEARS[-1]:
        workday = chinese_calendar.is_workday(day)
        if workday != (day.weekday() < 5):
            exceptions[day] = workday
        day += timedelta(days=1)
    return HolidayCalendar(exceptions=exceptions, complete_years=frozenset(COVERED_YEARS))


WEEKENDS_ONLY = HolidayCalendar()
