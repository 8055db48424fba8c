"""A labourer's form as the API's body, and back: pure functions, so the same rules apply as for any API caller."""

from __future__ import annotations

from collections.abc import Mapping

TEXT = ("name", "id_number", "phone", "labor_capacity", "education", "transfer_intention")
LISTS = ("skills", "certificates", "desired_occupations")
FLAGS = ("wants_training", "wants_entrepreneurship")
CONSENTS = ("sms", "wechat", "share_with_partners")


def body_of(form: Mapping[str, str]) -> dict:
    """The registration body from the form's fields; what the API refuses comes back as field errors."""
    body: dict = {name: (form.get(name) or "").strip() for name in TEXT}
    if not body["education"]:
        body["education"] = None
    # The township when one is picked, else the county: never an adcode typed by hand.
    body["home_region_code"] = (form.get("township") or form.get("county") or "").strip()
    for name in LISTS:
        body[name] = (form.get(name) or "").strip()
    wage = (form.get("expected_wage") or "").strip()
    body["expected_wage"] = (int(wage) if wage.isdigit() else wage) if wage else None
    for name in FLAGS:
        body[name] = form.get(name) == "1"
    body["consent"] = {name: form.get(f"consent_{name}") == "1" for name in CONSENTS}
    return body


def changes_of(body: dict, current: dict) -> dict:
    """Only what differs from the profile as it is (so an edit sends no number it did not change)."""
    out = {}
    for name, value in body.items():
        have = current.get(name)
        if name in LISTS and isinstance(value, str):
            parts = [p for p in value.replace("，", "、").replace(",", "、").split("、") if p.strip()]
            if [p.strip() for p in parts] == (have or []):
                continue
        if value != have:
            out[name] = value
    return out


def form_of(profile: dict) -> dict:
    """The form's fields from a profile as the API returns it."""
    fields = {name: profile.get(name) or "" for name in TEXT}
    home = profile.get("home_region_code") or ""
    fields["county"], fields["township"] = home[:6], home if len(home) == 9 else ""
    for name in LISTS:
        fields[name] = "、".join(profile.get(name) or [])
    fields["expected_wage"] = profile.get("expected_wage") or ""
    for name in FLAGS:
        fields[name] = "1" if profile.get(name) else ""
    for name in CONSENTS:
        fields[f"consent_{name}"] = "1" if (profile.get("consent") or {}).get(name) else ""
    return fields


def place_error(fields: dict[str, str]) -> dict[str, str]:
    """The API names the field home_region_code; the form shows it next to the township picker."""
    if "home_region_code" in fields:
        fields = dict(fields)
        fields["township"] = fields.pop("home_region_code")
    return fields
