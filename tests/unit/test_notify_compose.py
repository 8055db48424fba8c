"""Message composition: segment counting the providers' way, the shortening ladder, whole words, WeChat keywords."""

from __future__ import annotations

import json
import random
import re

import pytest

from services.notify.compose import (
    OPT_OUT,
    SIGNATURE,
    WECHAT_VALUE_LIMIT,
    aliyun_template,
    clip,
    compose_sms,
    compose_wechat,
    count_sms,
    place_names,
    render,
    sms_safe,
    tencent_template,
    title_core,
    wage_text,
)
from shared.reference.regions import regions_under

CONTACT = "乌兰浩特就业站0482-8261234"


def offer(title="保洁员", employer="北京安居家政服务有限公司", region_code="110105", region_name="朝阳区",
          wage_min=5000, wage_max=6500, meals=True, lodging=True) -> dict:
    return {"posting_id": "p", "title": title, "employer": employer, "region_code": region_code,
            "region_name": region_name, "wage_min": wage_min, "wage_max": wage_max, "distance_km": 1.0,
            "meals": meals, "lodging": lodging, "score": 0.9, "reasons": []}


THREE = [offer(), offer("电焊工", "兴安盟钢铁有限公司", "152201", "乌兰浩特市", 4000, 5500, True, False),
         offer("护林员", "科右前旗林业局", "152221", "科尔沁右翼前旗", 2200, 2200, False, False)]


@pytest.mark.parametrize(("length", "segments"), [(0, 0), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (160, 3),
                                                   (201, 3), (202, 4), (500, 8)])
def test_count_sms_uses_70_for_one_segment_and_67_beyond(length, segments):
    assert count_sms("字" * length) == (length, segments)


def test_every_character_counts_one_and_the_signature_counts():
    assert count_sms("a1，,【】 字")[0] == 8
    sms = compose_sms([offer(title="保洁", employer="", region_code="152201", region_name="乌兰浩特市")],
                      contact="站1")
    assert sms.text.startswith(SIGNATURE) and sms.length == len(sms.text)
    assert count_sms(sms.text) == (sms.length, sms.segments)


def test_a_short_set_fits_one_segment_and_says_how_to_reply():
    short = [offer("保洁", "", "152201", "乌兰浩特市", 3000, 3000, False, False)]
    sms = compose_sms(short, contact="突泉就业站0482-5111111")
    assert sms.segments == 1 and sms.length <= 70
    assert sms.text == ("【兴安就业】为您推荐：1.保洁，乌兰浩特市，3000元。"
                        "咨询突泉就业站0482-5111111。回1了解对应岗位，回0都不合适，回T退订")


def test_the_reply_digits_name_the_numbered_offers():
    three = compose_sms(THREE, contact=CONTACT)
    assert three.text.endswith("回1/2/3了解对应岗位，回0都不合适，回T退订") and three.numbered == 3
    assert [three.params[k][:2] for k in ("job1", "job2", "job3")] == ["1.", "2.", "3."]
    two = compose_sms(THREE[:2], contact=CONTACT)
    assert two.text.endswith("回1/2了解对应岗位，回0都不合适，回T退订") and two.numbered == 2


def test_a_rich_text_that_fits_one_segment_keeps_the_employer():
    sms = compose_sms([offer("保洁", "安居家政", "152201", "乌兰浩特市", 3000, 3000, False, False)],
                      contact="站0482-8261234")
    assert sms.segments == 1 and sms.params["job1"] == "1.保洁，安居家政，乌兰浩特市，3000元"


def test_the_fewest_segments_that_keep_job_place_wage_and_board_win_over_employer_names():
    sms = compose_sms([offer()], contact="站0482-8261234")
    assert sms.segments == 1
    assert sms.params["job1"] == "1.保洁员，北京朝阳，5千-6.5千，包吃住"  # the employer went, nothing essential
    three = compose_sms(THREE, contact=CONTACT)
    assert three.segments == 2
    check_essentials(three, THREE)


def check_essentials(sms, items) -> None:
    for item in items:
        assert item["title"] in sms.text or title_core(item["title"]) in sms.text
        assert any(place in sms.text for place in place_names(item["region_code"], item["region_name"]))
        assert any(wage_text(item["wage_min"], item["wage_max"], compact=c) in sms.text for c in (False, True))
        assert ("包吃住" in sms.text) if item["meals"] and item["lodging"] else True


def test_shortening_goes_step_by_step():
    long_title = [offer(title=f"{name}（长期招聘，男女不限）", employer="北京市朝阳区某某物业管理服务有限公司")
                  for name in ("保洁员", "保安员", "绿化工")]
    # Three segments would keep the qualifiers, but title cores and compact wages fit in two with every essential.
    two = compose_sms(long_title, contact=CONTACT, max_segments=3)
    assert two.segments == 2 and "物业" not in two.text and "长期招聘" not in two.text
    assert two.params["job1"] == "1.保洁员，北京朝阳，5千-6.5千，包吃住；"
    check_essentials(two, long_title)
    # One segment: titles only; with a longer contact, the first title and a count of the others.
    titles = compose_sms(long_title, contact="站0482-8261234", max_segments=1)
    assert titles.segments == 1
    assert [titles.params[k] for k in ("job1", "job2", "job3")] == ["1.保洁员；", "2.保安员；", "3.绿化工"]
    first = compose_sms(long_title, contact=CONTACT, max_segments=1)
    assert first.segments == 1 and first.numbered == 1 and first.params["picks"] == "1"
    assert [first.params[k] for k in ("job1", "job2", "job3")] == ["1.保洁员；", "另有2个岗位", ""]


def test_the_last_resort_shortens_the_first_title_and_keeps_the_count_and_the_contact():
    titles = ["".join(chr(0x4E00 + (i * 97 + k) % 20000) for k in range(100)) for i in range(3)]
    sms = compose_sms([offer(title=t) for t in titles], contact=CONTACT, max_segments=1)
    assert sms.text == f"【兴安就业】为您推荐：1.{titles[0][:6]}…；另有2个岗位。咨询{CONTACT}。回1了解对应岗位，回0都不合适，回T退订"
    assert sms.length == 70 and sms.numbered == 1


def test_template_parameters_render_to_the_text_in_both_providers_forms():
    sms = compose_sms(THREE, contact=CONTACT)
    assert list(sms.params) == ["job1", "job2", "job3", "contact", "picks"]
    assert sms.text == SIGNATURE + render(aliyun_template(), sms.params)
    values = sms.tencent_template_param_set()
    assert sms.text == SIGNATURE + re.sub(r"\{(\d)\}", lambda m: values[int(m.group(1)) - 1], tencent_template())
    assert json.loads(sms.aliyun_template_param()) == sms.params


def test_fewer_offers_leave_empty_parameters_and_even_one_offer_is_numbered():
    one = compose_sms([offer()], contact=CONTACT)
    assert (one.params["job2"], one.params["job3"]) == ("", "") and one.params["job1"].startswith("1.")
    assert (one.params["picks"], one.numbered) == ("1", 1)
    two = compose_sms(THREE[:2], contact=CONTACT)
    assert two.params["job1"].startswith("1.") and two.params["job1"].endswith("；") and two.params["job3"] == ""
    assert (two.params["picks"], two.numbered) == ("1/2", 2)


def test_no_second_signature_appears_in_the_text():
    sms = compose_sms([offer(title="【急招】保洁员", employer="【北京】安居家政")], contact=CONTACT)
    assert sms.text.count("【") == sms.text.count("】") == 1 and sms.text.startswith(SIGNATURE)


def test_only_three_offers_are_sent():
    sms = compose_sms([*THREE, offer("厨师")], contact=CONTACT)
    assert "厨师" not in sms.text


def test_parameter_length_limit_is_respected():
    sms = compose_sms(THREE, contact=CONTACT, max_param_length=20)
    assert all(len(value) <= 20 for value in sms.params.values())


@pytest.mark.parametrize("kwargs", [{"items": []}, {"contact": "  "}, {"contact": "站" * 60, "max_segments": 1},
                                    {"contact": "站" * 170}])
def test_impossible_messages_are_refused(kwargs):
    with pytest.raises(ValueError):
        compose_sms(**{"items": THREE, "contact": CONTACT, **kwargs})


def test_custom_opt_out_and_signature():
    sms = compose_sms([offer()], contact=CONTACT, signature="【兴安盟人社】", opt_out="拒收请回复R")
    assert sms.text.startswith("【兴安盟人社】") and sms.text.endswith("拒收请回复R")
    assert sms.text == "【兴安盟人社】" + render(aliyun_template("拒收请回复R"), sms.params)


def test_wages_places_and_title_cores_are_whole_pieces():
    assert wage_text(5000, 6500, compact=False) == "5000-6500元"
    assert wage_text(5000, 6500, compact=True) == "5千-6.5千"
    assert wage_text(12000, 15500, compact=True) == "1.2万-1.55万"
    assert wage_text(5000, 6250, compact=True) == "5000-6250"  # never rounded into a different wage
    assert wage_text(2200, 2200, compact=True) == "2.2千" and wage_text(0, 0, compact=True) == "面议"
    assert place_names("110105", "朝阳区") == ("北京朝阳区", "北京朝阳")
    assert place_names("152221", "科尔沁右翼前旗") == ("科尔沁右翼前旗", "科右前旗")
    assert place_names("999999", "外地") == ("外地", "外地")
    # A posting that names its place more briefly than the register's short name: the short one is never longer.
    assert place_names("152201", "乌市") == ("乌市", "乌市")
    assert title_core("焊工（二保焊，长期）") == "焊工"
    assert title_core("【急招】保洁员-朝阳") == "保洁员"
    assert title_core("汽车装配工") == "汽车装配工" and title_core("工（急）") == "工（急）"


# --- property-style: many generated sets ---------------------------------------------------------------------------
JOBS = ["保洁员", "电焊工", "护工", "厨师", "普工", "快递分拣员", "保安", "月嫂", "育婴师", "汽车装配工", "护林员",
        "道路养护员", "建筑钢筋工", "家政服务员", "餐厅服务员", "仓库管理员", "叉车司机", "养老护理员"]
QUALIFIERS = ["", "（长期）", "（包吃住，月休4天）", "-急招", "/夜班", " 男女不限", "，年龄55岁以下", "【北京】",
              "(熟手优先)"]
EMPLOYERS = ["", "兴安盟鑫源建筑工程有限公司", "北京市朝阳区安居乐家政服务中心", "科右前旗扶贫车间",
             "北京京东世纪贸易有限公司亦庄第三物流分拣中心劳务派遣合作单位"]
CONTACTS = [CONTACT, "站长13912345678", "科尔沁右翼中旗就业和社会保障服务中心0482-4567890转8001"]
PLACES = regions_under("1522") + regions_under("11")


def generated_sets(count: int, seed: int = 20260301):
    rng = random.Random(seed)
    for _ in range(count):
        items = []
        for _ in range(rng.choice([1, 2, 3, 3, 3])):
            if rng.random() < 0.15:  # an unbroken long title: no separator to shorten it at
                title = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randrange(2, 100)))
            else:
                title = rng.choice(QUALIFIERS[-2:] + [""]) + rng.choice(JOBS) + rng.choice(QUALIFIERS)
            place = rng.choice(PLACES)
            low = rng.choice([rng.randrange(15, 150) * 100, rng.randrange(1500, 15000)])
            items.append(offer(title, rng.choice(EMPLOYERS), place.code, place.name, low,
                               low + rng.choice([0, 500, 1000, 2500, rng.randrange(0, 3000)]),
                               rng.random() < 0.5, rng.random() < 0.5))
        yield items, rng.choice(CONTACTS)


def whole_part_of(core: str, title: str) -> bool:
    """Does `core` sit in `title` between boundaries (the ends, brackets or separators), i.e. no word was cut?"""
    boundary = set("（()）【】[]［］〔〕〈〉<>《》 ，,、/／|｜;；:：-—–·~～+＋")
    for match in re.finditer(re.escape(core), title):
        before = title[match.start() - 1] if match.start() else " "
        after = title[match.end()] if match.end() < len(title) else " "
        if before in boundary and after in boundary:
            return True
    return False


def check_no_word_is_cut(sms, items) -> None:
    """Each shown offer starts with its whole title or core; only a lone first title may be shortened ("…")."""
    lines = [re.sub(r"^\d\.", "", sms.params[k].removesuffix("；")) for k in ("job1", "job2", "job3")]
    shown = [line for line in lines if line and not re.fullmatch(r"另有\d个岗位", line)]
    assert 1 <= len(shown) <= len(items) and len(shown) == sms.numbered
    for line, item in zip(shown, items, strict=False):
        title = sms_safe(item["title"])
        if line.endswith("…") and sms.numbered == 1 and "，" not in line:  # the last resort
            assert sms_safe(title_core(item["title"])).startswith(re.sub(r"[，,、 ；;/]*…$", "", line)), line
            continue
        head = title if line.startswith(title) else title_core(title)
        assert line.startswith(head) and line[len(head):][:1] in ("", "，"), (line, title)
        assert head == title or whole_part_of(head, title), (head, title)
        long_place, short_place = place_names(item["region_code"], item["region_name"])
        allowed = {sms_safe(item["employer"]), long_place, short_place, "包吃住", "包吃", "包住",
                   wage_text(item["wage_min"], item["wage_max"], compact=False),
                   wage_text(item["wage_min"], item["wage_max"], compact=True)}
        for part in filter(None, line[len(head):].split("，")):
            assert part in allowed, (part, line)


def fixed_length(contact: str) -> int:
    """The characters of an SMS around its offers: signature, template, contact and the reply instruction."""
    return len(SIGNATURE + render(aliyun_template(), dict.fromkeys(("job1", "job2", "job3"), "") | {
        "contact": contact, "picks": "1"}))


@pytest.mark.parametrize("max_segments", [3, 2, 1])
def test_generated_sets_always_fit_keep_contact_and_opt_out_and_cut_no_word(max_segments):
    segments_seen = set()
    room = 70 if max_segments == 1 else 67 * max_segments
    for items, contact in generated_sets(400, seed=max_segments):
        try:
            sms = compose_sms(items, contact=contact, max_segments=max_segments)
        except ValueError:
            # Only where not even "1.xx…；另有2个岗位" fits beside the contact and the reply instruction.
            assert max_segments < 3 and fixed_length(contact) + len("1.xx…；另有2个岗位") > room, contact
            continue
        assert sms.segments <= max_segments and sms.length <= 70 + 67 * 2
        assert sms.params["picks"] == "/".join(str(n) for n in range(1, sms.numbered + 1))
        assert sms.text.startswith(SIGNATURE) and sms.text.endswith(OPT_OUT)
        assert contact in sms.text and sms.params["contact"] == contact
        assert sms.text == SIGNATURE + render(aliyun_template(), sms.params)
        assert sms.text.count("【") == 1
        assert compose_sms(items, contact=contact, max_segments=max_segments) == sms  # deterministic
        check_no_word_is_cut(sms, items)
        segments_seen.add(sms.segments)
    assert 1 in segments_seen


def test_generated_wechat_keywords_stay_within_20_characters():
    for items, contact in generated_sets(400):
        message = compose_wechat(items, link="https://jobs.example/o/s1", contact=contact)
        assert message["url"] == "https://jobs.example/o/s1"
        assert len(message["data"]) == len(items) + 1
        for keyword in message["data"].values():
            assert 0 < len(keyword["value"]) <= WECHAT_VALUE_LIMIT


def test_wechat_data_keeps_place_wage_and_board_and_shortens_only_the_title():
    message = compose_wechat([offer(title="北京大兴国际机场航站楼保洁员（长期）"), offer(title="电焊工")],
                             link="https://jobs.example/o/s1", contact=CONTACT)
    first, second = message["data"]["keyword1"]["value"], message["data"]["keyword2"]["value"]
    assert first == "北京大兴国际…，北京朝阳，5千-6.5千"  # the board went before more of the title
    assert second == "电焊工，北京朝阳，5千-6.5千，包吃住"
    assert "keyword3" not in message["data"] and message["data"]["keyword4"]["value"] == "乌兰浩特就业站0482-8261234"


def test_wechat_template_keys_choose_the_keywords():
    message = compose_wechat(THREE, template_keys={"offer1": "thing1", "offer2": "thing2"}, link="l")
    assert set(message["data"]) == {"thing1", "thing2"}


def test_clip_cuts_at_a_separator_when_one_is_near_and_marks_the_cut():
    assert clip("短", 20) == "短"
    assert clip("一二三四五六七八九十，一二三四五六七八九十", 20) == "一二三四五六七八九十…"
    assert clip("一二三四五六七八九十一二三四五六七八九十一", 20) == "一二三四五六七八九十一二三四五六七八九…"
