"""The credit score: the documented formula, each record's part, the caps and the grade."""

from datetime import UTC, datetime, timedelta

from credit.scoring import BASE, RecordFacts, explain_score

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def facts(key, kind, severity, *, start_days_ago=30, end_days_ahead: int | None = 300):
    return RecordFacts(
        key=key,
        kind=kind,
        severity=severity,
        decision_no=f"D{key}",
        valid_from=NOW - timedelta(days=start_days_ago),
        valid_to=None if end_days_ahead is None else NOW + timedelta(days=end_days_ahead),
    )


def test_no_record_is_the_base_and_grade_a():
    score = explain_score([], at=NOW)
    assert (score.score, score.grade) == (BASE, "A")
    assert score.contributions == []


def test_each_record_adds_its_points_and_says_why():
    score = explain_score(
        [
            facts(1, "administrative_penalty", "serious"),
            facts(2, "platform_misconduct", "general"),
            facts(3, "honour", "none"),
        ],
        at=NOW,
    )
    assert [c.points for c in score.contributions] == [-10, -3, 3]
    assert all(c.counted for c in score.contributions)
    assert score.score == 90 - 10 - 3 + 3 == 80
    assert (score.grade, score.penalty_total, score.reward_total) == ("B", -13, 3)


def test_expired_and_future_records_do_not_count_and_say_so():
    expired = facts(1, "court_judgment", "severe", start_days_ago=400, end_days_ahead=-1)
    future = facts(2, "administrative_penalty", "severe", start_days_ago=-5)
    score = explain_score([expired, future], at=NOW)
    assert score.score == BASE
    assert [c.counted for c in score.contributions] == [False, False]
    assert all(c.why for c in score.contributions)


def test_a_record_without_an_end_counts_for_three_years():
    record = facts(1, "administrative_penalty", "general", start_days_ago=0, end_days_ahead=None)
    assert explain_score([record], at=NOW).score == 85
    assert explain_score([record], at=NOW + timedelta(days=3 * 365 - 2)).score == 85
    assert explain_score([record], at=NOW + timedelta(days=3 * 365 + 1)).score == BASE


def test_rewards_are_capped_and_the_score_stays_within_0_and_100():
    rewards = [facts(i, "honour", "none") for i in range(6)]  # 6 × 3 = 18 > 10
    score = explain_score(rewards, at=NOW)
    assert (score.score, score.reward_total, score.reward_capped) == (100, 10, True)
    penalties = [facts(i, "administrative_penalty", "severe") for i in range(6)]
    assert explain_score(penalties, at=NOW).score == 0


def test_a_market_ban_makes_the_grade_d_whatever_the_score():
    score = explain_score([], at=NOW, refusing_measures=["市场禁入 · D1"])
    assert (score.score, score.grade, score.refusing_measures) == (90, "D", ["市场禁入 · D1"])
