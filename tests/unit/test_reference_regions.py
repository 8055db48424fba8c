"""Places and distances: every township can be located, and "near home" is measured from the township."""

import pytest

from shared.reference.regions import (
    county_of,
    distance_km,
    get_region,
    haversine_km,
    in_beijing,
    in_league,
    is_known,
    regions_under,
    townships,
)

ULANHOT, KEYOU_ZHONGQI, FENGTAI = "152201", "152222", "110106"
HARINUOER = "152222202"  # 哈日诺尔苏木, the township farthest from its county seat


def test_every_township_of_the_league_is_known_and_located():
    found = townships()
    assert len(found) == 90
    for township in found:
        assert is_known(township.code)
        assert len(township.code) == 9 and township.code.startswith("1522")
        assert 119 < township.lon < 124 and 44 < township.lat < 48


def test_a_township_without_a_point_takes_its_county_seat_and_says_so():
    shengli = get_region("152201004")  # 胜利街道 has no point of its own
    ulanhot = get_region(ULANHOT)
    assert (shengli.lon, shengli.lat) == (ulanhot.lon, ulanhot.lat)
    assert "county seat" in shengli.coordinate_source
    assert get_region(HARINUOER).coordinate_source == "township point"


def test_the_league_has_six_county_units_and_beijing_sixteen_districts():
    assert [r.name for r in regions_under("1522") if r.level == "county"] == [
        "乌兰浩特市", "阿尔山市", "科尔沁右翼前旗", "科尔沁右翼中旗", "扎赉特旗", "突泉县",
    ]
    assert len([r for r in regions_under("11") if r.level == "county"]) == 16
    assert get_region("152200").level == "prefecture"
    assert get_region("110000").level == "province"


def test_a_township_belongs_to_its_county():
    township = get_region(HARINUOER)
    assert township.name == "哈日诺尔苏木"
    assert township.parent_code == township.county_code == KEYOU_ZHONGQI
    assert county_of(HARINUOER).name == "科尔沁右翼中旗"
    assert county_of(FENGTAI).code == FENGTAI
    assert county_of("152200") is None
    assert {t.county_code for t in townships(KEYOU_ZHONGQI)} == {KEYOU_ZHONGQI}
    assert len(townships(KEYOU_ZHONGQI)) == 16


def test_unknown_codes_are_not_known():
    assert get_region("150100") is None
    assert not is_known("999999")
    assert regions_under("1501") == []


def test_ulanhot_to_fengtai_is_about_840_km_as_the_crow_flies():
    # Straight line between the seats; the road is longer (about 1,100 km), which this does not claim to measure.
    assert 800 < distance_km(ULANHOT, FENGTAI) < 880
    assert distance_km(ULANHOT, FENGTAI) == pytest.approx(distance_km(FENGTAI, ULANHOT))


def test_remote_townships_are_far_from_their_county_seat():
    assert distance_km(HARINUOER, KEYOU_ZHONGQI) > 90
    assert distance_km("152221204", "152221") > 90  # 桃合木苏木
    assert distance_km("152222100", KEYOU_ZHONGQI) < 1  # 巴彦呼舒镇 is the seat itself


def test_distance_to_an_unknown_place_raises():
    with pytest.raises(KeyError):
        distance_km(ULANHOT, "150100")


def test_haversine_measures_a_degree_of_latitude_as_about_111_km():
    assert haversine_km(120.0, 45.0, 120.0, 46.0) == pytest.approx(111.2, abs=0.1)
    assert haversine_km(120.0, 45.0, 120.0, 45.0) == 0


def test_league_and_beijing_membership_goes_by_code():
    assert in_league(HARINUOER) and in_league("152200") and in_league("152222202001")
    assert not in_league(FENGTAI)
    assert in_beijing(FENGTAI) and in_beijing("110000")
    assert not in_beijing(ULANHOT) and not in_beijing("")
