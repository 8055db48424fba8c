"""Personal data: sealed values open only with their key and purpose, keys rotate, hashes find, masks hide."""

import hashlib

import pytest

from shared.pii import (
    PiiError,
    PiiKeys,
    blind_index,
    last4,
    mask_id_number,
    mask_phone,
    needs_reseal,
    open_sealed,
    seal,
)

ID_NUMBER = "152222198311036001"
PHONE = "13394641177"
# Fixed keys keep the tests repeatable (the nonces still vary); each is 32 bytes written in hex.
OLD_KEY, NEW_KEY, HASH_KEY, OTHER_HASH_KEY = (
    hashlib.sha256(label).hexdigest() for label in (b"old", b"new", b"hash", b"other hash"))


@pytest.fixture
def keys():
    return PiiKeys.from_settings(current_key_hex=OLD_KEY, hash_key_hex=HASH_KEY)


@pytest.fixture
def rotated():
    """The keyring after a rotation: a new current key, the old one kept to open what it sealed."""
    return PiiKeys.from_settings(current_key_hex=NEW_KEY, hash_key_hex=HASH_KEY, old_keys=OLD_KEY)


def test_a_sealed_value_opens_to_itself(keys):
    for value, purpose in [(ID_NUMBER, "id_number"), (PHONE, "phone"), ("张秀英", "name")]:
        assert open_sealed(seal(value, keys=keys, purpose=purpose), keys=keys, purpose=purpose) == value


def test_a_token_names_its_version_and_key(keys):
    version, key_id, _ = seal(PHONE, keys=keys, purpose="phone").split(".")
    assert (version, key_id) == ("v1", hashlib.sha256(bytes.fromhex(OLD_KEY)).hexdigest()[:8])
    assert key_id == keys.current


def test_two_seals_differ_but_their_blind_index_is_equal(keys):
    first, second = (seal(ID_NUMBER, keys=keys, purpose="id_number") for _ in range(2))
    assert first != second
    assert blind_index(ID_NUMBER, keys=keys, purpose="id_number") == \
        blind_index(ID_NUMBER, keys=keys, purpose="id_number")


def test_the_blind_index_is_keyed_and_bound_to_its_purpose(keys):
    index = blind_index(PHONE, keys=keys, purpose="phone")
    assert len(index) == 64 and int(index, 16) >= 0
    assert index != hashlib.sha256(PHONE.encode()).hexdigest()
    assert index != blind_index(PHONE, keys=keys, purpose="id_number")
    other = PiiKeys.from_settings(current_key_hex=OLD_KEY, hash_key_hex=OTHER_HASH_KEY)
    assert index != blind_index(PHONE, keys=other, purpose="phone")


def test_the_same_number_written_two_ways_seals_and_hashes_alike(keys):
    for written in ["+86 133-9464-1177", "8613394641177", "0086 13394641177", " 13394641177 "]:
        assert blind_index(written, keys=keys, purpose="phone") == blind_index(PHONE, keys=keys, purpose="phone")
        assert open_sealed(seal(written, keys=keys, purpose="phone"), keys=keys, purpose="phone") == PHONE
    lower_x = blind_index(" 11010519491231002x", keys=keys, purpose="id_number")
    assert lower_x == blind_index("11010519491231002X", keys=keys, purpose="id_number")


def test_a_value_sealed_before_a_rotation_still_opens_and_asks_to_be_resealed(keys, rotated):
    old_token = seal(ID_NUMBER, keys=keys, purpose="id_number")
    assert not needs_reseal(old_token, keys=keys)
    assert needs_reseal(old_token, keys=rotated)
    assert open_sealed(old_token, keys=rotated, purpose="id_number") == ID_NUMBER
    resealed = seal(open_sealed(old_token, keys=rotated, purpose="id_number"), keys=rotated, purpose="id_number")
    assert not needs_reseal(resealed, keys=rotated)
    # The hash key does not rotate with the sealing keys, so lookups keep working across a rotation.
    assert blind_index(ID_NUMBER, keys=rotated, purpose="id_number") == \
        blind_index(ID_NUMBER, keys=keys, purpose="id_number")


def test_an_old_key_given_with_an_id_opens_under_that_id_and_its_derived_one(keys):
    token = seal(PHONE, keys=keys, purpose="phone")
    named = PiiKeys.from_settings(current_key_hex=NEW_KEY, hash_key_hex=HASH_KEY, old_keys=f" k2019:{OLD_KEY} ,")
    assert open_sealed(token, keys=named, purpose="phone") == PHONE
    assert open_sealed(token.replace(keys.current, "k2019"), keys=named, purpose="phone") == PHONE


def test_every_changed_character_is_caught(keys):
    token = seal(PHONE, keys=keys, purpose="phone")
    for position, char in enumerate(token):
        changed = token[:position] + ("A" if char != "A" else "B") + token[position + 1:]
        with pytest.raises(PiiError):
            open_sealed(changed, keys=keys, purpose="phone")


def test_a_phone_pasted_into_the_id_number_column_does_not_open(keys):
    token = seal(PHONE, keys=keys, purpose="phone")
    with pytest.raises(PiiError, match="another purpose"):
        open_sealed(token, keys=keys, purpose="id_number")


def test_an_unknown_key_id_does_not_open(keys):
    stranger = PiiKeys.from_settings(current_key_hex=NEW_KEY, hash_key_hex=HASH_KEY)
    with pytest.raises(PiiError, match="unknown key id"):
        open_sealed(seal(PHONE, keys=stranger, purpose="phone"), keys=keys, purpose="phone")


@pytest.mark.parametrize("token", ["", "v1", "v1..", "v2.abcdef12.AAAA", "v1.abcdef12", "v1.x.y.z", ID_NUMBER])
def test_what_is_not_a_token_is_refused(keys, token):
    with pytest.raises(PiiError):
        open_sealed(token, keys=keys, purpose="id_number")


def test_the_sealed_text_holds_neither_the_value_nor_its_digits(keys):
    for value, purpose in [(ID_NUMBER, "id_number"), (PHONE, "phone")]:
        token = seal(value, keys=keys, purpose=purpose)
        assert value not in token and value[:6] not in token


def test_the_keyring_never_prints_its_keys(rotated):
    assert NEW_KEY not in repr(rotated) and OLD_KEY not in repr(rotated) and HASH_KEY not in repr(rotated)


@pytest.mark.parametrize("settings, message", [
    ({"current_key_hex": "zz", "hash_key_hex": HASH_KEY}, "not hexadecimal"),
    ({"current_key_hex": NEW_KEY[:32], "hash_key_hex": HASH_KEY}, "must be 32 bytes"),
    ({"current_key_hex": NEW_KEY, "hash_key_hex": HASH_KEY[:8]}, "at least 16 bytes"),
    ({"current_key_hex": NEW_KEY, "hash_key_hex": HASH_KEY, "old_keys": f"a.b:{OLD_KEY}"}, "key id"),
    ({"current_key_hex": NEW_KEY, "hash_key_hex": HASH_KEY, "old_keys": f"k1:{OLD_KEY},k1:{HASH_KEY}"},
     "two different"),
])
def test_a_bad_keyring_is_refused(settings, message):
    with pytest.raises(PiiError, match=message):
        PiiKeys.from_settings(**settings)


def test_masks_show_only_what_staff_need():
    assert mask_id_number("152222198311036001") == "152222********6001"
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("152222831103600") == "152**********00"  # a 15-digit number of the old format
    assert mask_id_number("1234") == "****"
    assert mask_phone("13394641177") == "133****1177"
    assert mask_phone("+86 133-9464-1177") == "133****1177"
    assert mask_phone("12345") == "*****"
    assert last4("13394641177") == "1177"
    assert last4("11010519491231002x") == "002X"
