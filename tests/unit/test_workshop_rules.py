"""The workshop and start-up subsidy conditions as pure rules, at their edges."""

from __future__ import annotations

from datetime import date

from services.workers.startup_support.rules import startup_subsidy
from services.workers.workshops.rules import Contract, check_labourer, check_workshop

ON = date(2026, 11, 28)
FLOOR = 2250


def contract(n: int = 1, *, start: date = date(2026, 6, 1), months: int = 12, wage: int = FLOOR,
             left_on: date | None = None) -> Contract:
    return Contract(worker_id=f"w{n}", contract_start=start, contract_months=months, monthly_wage=wage,
                    left_on=left_on)


def test_five_counting_labourers_meet_the_condition_and_four_lack_one():
    five = check_workshop([contract(n) for n in range(5)], on=ON, minimum_wage=FLOOR)
    assert (five.met, five.counting, five.missing) == (True, 5, ())
    four = check_workshop([contract(n) for n in range(4)], on=ON, minimum_wage=FLOOR)
    assert (four.met, four.counting, four.missing) == (False, 4, ("还差1名符合条件的劳动力",))


def test_a_contract_of_six_months_counts_and_of_five_does_not():
    assert check_labourer(contract(months=6), on=ON, minimum_wage=FLOOR).counts
    short = check_labourer(contract(start=date(2026, 7, 1), months=5), on=ON, minimum_wage=FLOOR)
    assert (short.counts, short.reasons) == (False, ("合同期5个月，不足6个月",))


def test_a_wage_at_the_minimum_counts_and_one_yuan_below_does_not():
    assert check_labourer(contract(wage=FLOOR), on=ON, minimum_wage=FLOOR).reasons == ("符合条件",)
    low = check_labourer(contract(wage=FLOOR - 1), on=ON, minimum_wage=FLOOR)
    assert (low.counts, low.reasons) == (False, ("月工资2249元，低于当地最低工资2250元",))


def test_only_a_contract_in_force_on_the_day_counts():
    assert check_labourer(contract(start=ON), on=ON, minimum_wage=FLOOR).counts
    assert check_labourer(contract(start=date(2026, 11, 29)), on=ON, minimum_wage=FLOOR).reasons == (
        "合同2026-11-29才开始",)
    # 6 months from 28 May run to 27 November: on the 28th the contract is over.
    assert check_labourer(contract(start=date(2026, 5, 28), months=6), on=ON, minimum_wage=FLOOR).reasons == (
        "合同已于2026-11-28到期",)
    assert check_labourer(contract(left_on=ON), on=ON, minimum_wage=FLOOR).reasons == ("已于2026-11-28离开车间",)
    assert check_labourer(contract(left_on=date(2026, 11, 29)), on=ON, minimum_wage=FLOOR).counts


def test_every_reason_is_listed_and_an_unknown_floor_counts_no_one():
    both = check_labourer(contract(start=date(2026, 7, 1), months=5, wage=1000), on=ON, minimum_wage=FLOOR)
    assert both.reasons == ("合同期5个月，不足6个月", "月工资1000元，低于当地最低工资2250元")
    assert check_labourer(contract(), on=ON, minimum_wage=None).reasons == ("不知道当地的最低工资标准",)


def test_start_up_operating_exactly_six_months_meets_the_condition():
    exactly = startup_subsidy(registered_on=date(2026, 5, 20), operating_since=date(2026, 5, 28), on=ON)
    assert (exactly.eligible, exactly.missing, exactly.met_from) == (True, (), ON)


def test_start_up_operating_five_months_and_thirty_days_lacks_a_day():
    # 29 May + 5 months = 29 October, + 30 days = 28 November.
    short = startup_subsidy(registered_on=date(2026, 5, 20), operating_since=date(2026, 5, 29), on=ON)
    assert (short.eligible, short.missing, short.met_from) == (False, ("经营未满6个月（还差1天）",),
                                                              date(2026, 11, 29))


def test_start_up_not_registered_or_not_operating():
    nothing = startup_subsidy(registered_on=None, operating_since=None, on=ON)
    assert nothing.missing == ("尚未登记注册", "尚未开始经营") and nothing.met_from is None
    unregistered = startup_subsidy(registered_on=None, operating_since=date(2026, 1, 1), on=ON)
    assert unregistered.missing == ("尚未登记注册",)
    # 31 August + 6 months is the last day of February.
    assert startup_subsidy(registered_on=date(2026, 8, 31), operating_since=date(2026, 8, 31),
                           on=ON).met_from == date(2027, 2, 28)
