"""Occupations: the way staff, labourers and employers write jobs is read as one canonical job and its 大典 small group."""

import csv
from importlib import resources

import pytest

from shared.reference.occupations import get_occupation, small_groups
from shared.reference.vocabulary import SCORES, Term, Vocabulary, common_jobs, detailed_occupations, read, terms_for


def lookup_occupation(text):
    return read(text)


def canonical_job(text):
    reading = read(text)
    return reading.job if reading else None


def _rows(filename):
    data = resources.files("shared.reference") / "data" / filename
    with data.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _synonym_rows():
    return _rows("occupation_synonyms.csv")


def test_every_synonym_names_a_small_group_of_the_classification():
    rows = _synonym_rows()
    assert len(rows) >= 80
    for row in rows:
        occupation = get_occupation(row["occupation_code"])
        assert occupation is not None, row
        assert occupation.level == "small", row


def test_the_ten_cooperation_jobs_keep_the_codes_of_the_research_mapping():
    for row in _rows("occupation_common_jobs_map.csv"):
        assert lookup_occupation(row["occupation"]).occupation.code == row["dadian_small_code"], row


def test_no_term_means_two_jobs():
    terms = [row["term"] for row in _synonym_rows()]
    assert len(terms) == len(set(terms))


def test_get_occupation_accepts_both_code_styles():
    by_dadian, by_gbt = get_occupation("4-10-01"), get_occupation("41001")
    assert by_dadian == by_gbt
    assert by_dadian.name == "生活照料服务人员"
    assert (by_dadian.middle_code, by_dadian.major_code) == ("4-10", "4")
    assert get_occupation("4").level == "major"
    assert get_occupation("9-99-99") is None


@pytest.mark.parametrize("text", ["电焊", "氩弧焊", "电焊工", "焊工", "二保焊"])
def test_welding_words_read_as_welder(text):
    match = lookup_occupation(text)
    assert match.job == "焊工"
    assert match.occupation.code == "6-18-02"
    assert match.score == 100


@pytest.mark.parametrize(
    ("text", "job"),
    [
        ("保姆", "家政服务员"),
        ("住家保姆", "家政服务员"),
        ("月嫂", "育婴员"),
        ("护工", "养老护理员"),
        ("开大车", "驾驶员"),
        ("望京保安", "保安员"),
        ("外卖骑手", "快递员"),
        ("家政厨娘", "家政服务员"),
        ("厨娘", "中式烹调师"),
        ("放羊", "畜禽饲养人员"),
        ("护林员", "森林经营和管护人员"),
    ],
)
def test_common_words_read_as_their_job(text, job):
    assert canonical_job(text) == job


@pytest.mark.parametrize(
    ("text", "job"),
    [
        ("高级电焊工（包吃住）", "焊工"),
        ("急招保洁阿姨", "保洁员"),
        ("保姆（住家）", "家政服务员"),
        ("诚聘：货车司机(A2)", "驾驶员"),
        ("【急】月嫂 2名", "育婴员"),
        (" 电 焊 工 ", "焊工"),
    ],
)
def test_decorated_titles_read_as_their_job(text, job):
    assert canonical_job(text) == job


def test_a_longer_term_wins_over_a_shorter_one_inside_it():
    assert canonical_job("挖掘机司机") == "工程机械操作工"  # not 驾驶员 for 司机
    assert canonical_job("宾馆服务员") == "客房服务员"  # not 餐厅服务员 for 服务员


def test_how_a_job_was_read_is_reported():
    assert lookup_occupation("保洁").via == "exact"
    assert lookup_occupation("高级电焊工").via == "contained" and lookup_occupation("高级电焊工").score < 100
    by_name = lookup_occupation("生活照料服务人员")
    assert (by_name.via, by_name.job, by_name.code) == ("exact", "生活照料服务人员", "4-10-01")


def test_the_classifications_detailed_occupations_are_words_of_the_lexicon():
    assert len(detailed_occupations()) > 1500
    for name, code in (("缝纫工", "6-05-01"), ("保安员", "4-07-05"), ("道路货运汽车驾驶员", "4-02-02"),
                       ("家政服务员", "4-10-01")):
        assert lookup_occupation(name).code == code, name
    # Every detailed occupation lies in a small group of the classification.
    codes = {group.code for group in small_groups()}
    assert all(small in codes for _, _, small, _ in detailed_occupations())


def test_a_phrase_is_cut_into_words_and_filler_dropped():
    reading = lookup_occupation("想去饭店当服务员")
    assert (reading.job, reading.code) == ("餐厅服务员", "4-03-02")
    assert lookup_occupation("在家附近干保洁").job == "保洁员"


def test_a_phrase_no_word_names_lands_in_the_group_whose_text_it_shares():
    # Without the common-job table and the speech words, no lexicon word is in it; the definitions of 4-09-09
    # (有害生物防制) are like it.
    vocabulary = Vocabulary(synonyms=(), speech=())
    reading = vocabulary.read("有害生物防治消杀")
    assert reading is not None and (reading.code, reading.via) == ("4-09-09", "similar")


def test_a_taught_phrase_reads_as_its_occupation_at_once():
    vocabulary = Vocabulary()
    assert vocabulary.read("给人捏捏") is None
    vocabulary.teach({"给人捏捏": "4-10-04"})
    reading = vocabulary.read("给人捏捏")
    assert (reading.code, reading.via) == ("4-10-04", "taught")
    vocabulary.teach({})
    assert vocabulary.read("给人捏捏") is None


def test_a_lexicon_without_a_word_cannot_read_it_exactly():
    """The evaluation builds a vocabulary from half the synonyms: the other half must not leak in."""
    kept = [Term("焊工", "焊工", "6-18-02")]
    vocabulary = Vocabulary(kept, speech=())
    assert vocabulary.read("二保焊") is None or vocabulary.read("二保焊").via != "exact"


def test_terms_for_a_job_include_the_job_and_its_synonyms():
    assert {"焊工", "电焊", "氩弧焊", "二保焊", "气焊"} <= terms_for("焊工")
    assert "保姆" in terms_for("家政服务员") and "保姆" not in terms_for("育婴员")
    assert terms_for("宇航员") == frozenset({"宇航员"})


def test_common_jobs_cover_the_cooperations_labour_brands():
    jobs = common_jobs()
    assert len(jobs) == len(set(jobs))
    for job in ["家政服务员", "育婴员", "养老护理员", "保安员", "保洁员", "快递员", "中式烹调师", "砌筑工", "电工", "焊工"]:
        assert job in jobs
    assert all(terms_for(job) for job in jobs)


def test_a_phrase_about_another_trade_than_the_word_it_holds_is_read_as_that_trade():
    # 打扫 (cleaning) is inside it, but a hotel's rooms make it hotel service; 陪护 (elderly care) with a patient is
    # hospital care.
    hotel = lookup_occupation("酒店打扫房间")
    assert (hotel.code, hotel.via, hotel.job) == ("4-03-01", "classified", "住宿服务人员")
    assert hotel.score < SCORES["contained"]
    assert lookup_occupation("陪护病人").code == "4-14-01"
    # Where the model agrees with the word, the word's own job stays the reading.
    welder = lookup_occupation("高级电焊工")
    assert (welder.job, welder.via) == ("焊工", "contained")


def test_vocabularies_of_one_lexicon_share_one_fitted_model():
    assert Vocabulary().model is Vocabulary().model
    assert Vocabulary().model is not Vocabulary(synonyms=(), speech=()).model


def test_no_word_stays_in_a_group_its_audit_refutes():
    """Every word of the speech list and the synonym table was filed again by an auditor who did not see the lists
    (occupation_words_audit.csv). A word the auditor put, with high confidence, under another small group than its
    row's — neither its first nor its second choice — has moved there, unless the classification itself names it, or
    it is a synonym that follows its canonical job."""
    audit = {row["word"]: row for row in _rows("occupation_words_audit.csv")}
    detailed = {name for _, name, _, _ in detailed_occupations()}
    synonyms = _rows("occupation_synonyms.csv")
    job_code = {row["term"]: row["occupation_code"] for row in synonyms if row["term"] == row["job"]}
    rows = [(r["word"], r["small_code"], None) for r in _rows("occupation_speech.csv")]
    rows += [(r["term"], r["occupation_code"], r["job"]) for r in synonyms]
    refuted = [(word, code, audit[word]["small_code"]) for word, code, job in rows
               if word in audit and audit[word]["confidence"] == "high" and word not in detailed
               and code not in (audit[word]["small_code"], audit[word]["second_code"])
               and not (job is not None and job != word and job_code.get(job) == code)]
    assert refuted == []
    assert len(audit) > 12_000 and {row["confidence"] for row in audit.values()} <= {"high", "medium", "low"}

