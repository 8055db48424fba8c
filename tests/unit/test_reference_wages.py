"""Minimum wages: the floor in force at the place and date of work."""

from datetime import date

from shared.reference.wages import minimum_wage

TODAY = date(2026, 11, 28)


def test_ulanhot_is_tier_two_and_the_banners_tier_three():
    assert minimum_wage("152201", TODAY).monthly_cny == 2310
    assert minimum_wage("152222", TODAY).monthly_cny == 2250


def test_a_township_inherits_its_countys_floor():
    floor = minimum_wage("152222105", TODAY)  # 好腰苏木镇, 科尔沁右翼中旗
    assert floor.monthly_cny == 2250
    assert floor.region_code == "152222"


def test_a_beijing_district_inherits_beijings_floor():
    assert minimum_wage("110106", TODAY).monthly_cny == 2540
    assert minimum_wage("110000", TODAY).monthly_cny == 2540
    assert minimum_wage("110106", date(2019, 8, 1)).monthly_cny == 2200


def test_the_floor_changes_on_its_effective_day():
    assert minimum_wage("110106", date(2025, 8, 31)).monthly_cny == 2420
    assert minimum_wage("110106", date(2025, 9, 1)).monthly_cny == 2540
    assert minimum_wage("152201", date(2025, 11, 30)).monthly_cny == 1910


def test_the_league_as_a_whole_gets_the_lowest_county_floor():
    assert minimum_wage("152200", TODAY).monthly_cny == 2250
    assert minimum_wage("152200", date(2022, 1, 1)).monthly_cny == 1850


def test_assumed_dates_are_marked():
    assert "date assumed" in minimum_wage("152201", date(2022, 1, 1)).basis
    assert minimum_wage("152201", date(2022, 1, 1)).hourly_cny == 20.1


def test_no_figure_before_the_first_known_one():
    assert minimum_wage("110106", date(2018, 8, 31)) is None
    assert minimum_wage("152201", date(2021, 11, 30)) is None


def test_no_figure_for_an_unknown_place():
    assert minimum_wage("150100", TODAY) is None  # 呼和浩特市: not in the table
    assert minimum_wage("150000", TODAY) is None  # all of Inner Mongolia: not guessed from the League
    assert minimum_wage("", TODAY) is None
    assert minimum_wage("abc", TODAY) is None
