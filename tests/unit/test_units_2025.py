from services.common import units


def test_legacy_wards_map_to_their_2025_ward_and_province():
    assert units.path_2025("14767") == ["38", "14797"]  # Điện Biên → Hạc Thành
    assert units.path_2025("14758") == ["38", "14797"]  # Đông Thọ (split): the default part
    assert units.path_2025("380") == ["38"]  # districts were abolished
    assert units.path_2025("35") == ["37"]  # Hà Nam merged into Ninh Bình


def test_a_2025_unit_lists_its_legacy_parts():
    assert {"14767", "14797", "14758"} <= set(units.legacy_parts("14797"))
    assert units.legacy_parts("37") == ["35", "36", "37"]
    assert units.legacy_parts("99999") == []


def test_scope_over_2025_units():
    assert units.covers_2025("380", "14797") and units.covers_2025("38", "14758")
    assert not units.covers_2025("14767", "14797")  # one part only
    assert not units.covers_2025("382", "14797")
