"""Seed the holiday calendar for 2020–2026 from `chinese-calendar` (the State Council's
arrangements), storing only the exceptions to the weekend rule: statutory holidays on
weekdays and make-up workdays (调休上班) on weekends.

The years are fixed here so that this migration means the same thing whatever version of
the package is installed later. Later years are entered by the platform administrator in
the admin when the State Council publishes them; until then they are estimated (weekends
only). Idempotent: update_or_create on the date and the year.
"""

from datetime import date, timedelta

from django.db import migrations

YEARS = range(2020, 2027)
SOURCE = "国务院办公厅关于部分节假日安排的通知（据 chinese-calendar 1.11 录入）"
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    db = schema_editor.connection.alias
    Day = apps.get_model("catalog", "HolidayCalendarDay")
    Year = apps.get_model("catalog", "HolidayCalendarYear")
    for year in YEARS:
        day = date(year, 1, 1)
        while day.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            weekend = day.weekday() >= 5
            label = HOLIDAY_NAMES.get(name, name or "")
            if not weekend and is_holiday:
                Day.objects.using(db).update_or_create(
                    date=day, defaults={"is_working_day": False, "name": label}
                )
            elif weekend and chinese_calendar.is_workday(day):
                Day.objects.using(db).update_or_create(
                    date=day, defaults={"is_working_day": True, "name": f"{label}调休上班"}
                )
            day += timedelta(days=1)
        Year.objects.using(db).update_or_create(
            year=year, defaults={"complete": True, "source": SOURCE}
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_seed_catalog")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
