from jusha.community import rules


def test_feed_keys_round_trip_and_refuse_anything_else():
    assert rules.key("u", 12) == "u:12"
    assert rules.parse_key("o:3") == ("o", 3)
    for bad in ("", "u:", "u:0", "x:1", "u:01", "u:1;drop", "u:" + "9" * 30):
        assert rules.parse_key(bad) is None


def test_team_goals():
    assert rules.team_goal_refusal(goal=0, project_goal=1000) == "goal_not_positive"
    assert rules.team_goal_refusal(goal=-5, project_goal=1000) == "goal_not_positive"
    assert rules.team_goal_refusal(goal=99, project_goal=1000) == "goal_too_small"
    assert rules.team_goal_refusal(goal=1001, project_goal=1000) == "goal_above_project"
    assert rules.team_goal_refusal(goal=1000, project_goal=1000) is None


def test_milestones_are_crossed_once_each_way_up():
    assert rules.milestones_crossed(before=0, after=49, goal=100) == []
    assert rules.milestones_crossed(before=0, after=50, goal=100) == [50]
    assert rules.milestones_crossed(before=40, after=120, goal=100) == [50, 100]
    assert rules.milestones_crossed(before=50, after=99, goal=100) == []
    assert rules.milestones_crossed(before=120, after=40, goal=100) == []  # a refund crosses nothing
    assert rules.milestones_crossed(before=0, after=1, goal=3) == []
    assert rules.milestones_crossed(before=1, after=2, goal=3) == [50]  # 2/3 ≥ 50 %


def test_friends_supported_is_never_told_for_fewer_than_three():
    assert rules.friends_supported(2) is None
    assert rules.friends_supported(3) == 3


def test_slugs_are_ascii():
    slug = rules.new_slug("阳光小队")
    assert slug.startswith("team-") and slug.isascii()
    assert rules.new_slug("Sunny Team").startswith("sunny-team-")
