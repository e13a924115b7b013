"""Brute-force bound (issue 14, section 6; docs/threat-model.md, "Brute-force
bound"): the chance that an attacker who knows a password guesses the SMS code
before the limits stop them, per account per day, from the shipped config, and
a live riegeld showing that those are the limits it enforces.

An attacker gets a code only by a login that sends one, so per account and day
they get at most

    by the send caps:   max_attempts × min(cap_per_phone, cap_per_user) × ⌈1 d / cap_window⌉
    by the code budget: failure_limit × ⌈1 d / failure_window⌉

wrong codes (the smaller bound holds), each right with chance 1 / 10^code_length
(a fresh random code per challenge and resend). The sum is the bound; it must
stay at or below 1 in 10 000.
"""
import math
import tomllib

from riegel_harness import REPO, Daemon, auth, error_of
from test_sms import PHONE, STRONG, enrol, last_code, wrong

DAY = 86400
LIMIT = 1 / 10_000
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(text: str) -> float:
    number, unit = text[:-1], text[-1]
    return float(number) * UNITS[unit]


def shipped_sms() -> dict:
    """The [sms] table of config/riegel.toml, which shows every key with its default."""
    with open(REPO / "config" / "riegel.toml", "rb") as f:
        sms = tomllib.load(f)["sms"]
    keys = ("code_length", "max_attempts", "cap_per_phone", "cap_per_user", "cap_window",
            "failure_limit", "failure_window")
    missing = [k for k in keys if k not in sms]
    assert not missing, f"config/riegel.toml no longer shows {missing}: the bound cannot be computed"
    return sms


def bound(sms: dict) -> tuple[float, int, int]:
    """(chance per account per day, guesses the caps allow, guesses the budget allows)."""
    by_caps = sms["max_attempts"] * min(sms["cap_per_phone"], sms["cap_per_user"]) \
        * math.ceil(DAY / seconds(sms["cap_window"]))
    by_budget = sms["failure_limit"] * math.ceil(DAY / seconds(sms["failure_window"]))
    return min(by_caps, by_budget) / 10 ** sms["code_length"], by_caps, by_budget


def test_sms_code_guessing_chance_per_account_and_day_stays_below_one_in_ten_thousand(root):
    sms = shipped_sms()
    chance, by_caps, by_budget = bound(sms)
    print(f"brute-force bound: min({by_caps}, {by_budget}) wrong codes a day / 10^{sms['code_length']}"
          f" = {chance:.2e} (1 in {1 / chance:,.0f})")
    assert chance <= LIMIT, (
        f"an attacker with the password gets {min(by_caps, by_budget)} guesses a day at a "
        f"{sms['code_length']}-digit code: {chance:.2e} > 1e-4 per account per day")

    # The live daemon, started without any [sms] setting, enforces these very
    # numbers: max_attempts wrong codes spend a challenge, failure_limit wrong
    # codes lock the second factor until the first is failure_window old.
    d = Daemon(root).start()
    try:
        with auth(d) as a:
            enrol(a, d, "ziel")
            wrongs = 0
            while wrongs < sms["failure_limit"]:
                c = a.Login(username="ziel", password=STRONG)["challenge"]
                assert c["attempts_left"] == sms["max_attempts"], c
                code = last_code(d)
                for left in range(sms["max_attempts"] - 1, -1, -1):
                    if wrongs == sms["failure_limit"]:
                        break
                    assert error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=wrong(code)) == \
                        ("io.riegel.Auth.InvalidCode", {"attempts_left": left}), wrongs
                    wrongs += 1
            # Locked: even the right code of a new challenge is refused, for about failure_window.
            c = a.Login(username="ziel", password=STRONG)["challenge"]
            name, params = error_of(a.VerifyChallenge, challenge_id=c["challenge_id"], code=last_code(d))
            assert name == "io.riegel.Auth.TooManyAttempts", (name, params)
            window = seconds(sms["failure_window"])
            assert window - 120 <= params["retry_after"] <= window, (params, window)
    finally:
        assert d.stop() == 0, d.log_text()
