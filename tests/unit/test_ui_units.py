"""The pickers' units (`/ui/units.json`): the wards at or below a login's unit, each with its
district, so a clerk of the province finds any ward of it and a ward's clerk only their own."""
from __future__ import annotations

from services.common import units
from services.common.collation import vi_key
from services.gateway import ui


def test_a_province_offers_every_ward_of_every_district():
    found = ui.units_under("38")
    wards = [w["code"] for w in found["wards"]]
    every = [u.code for u in units.all_units().values() if u.level == "ward" and units.path(u.code)[0] == "38"]
    assert sorted(wards) == sorted(every) and len(wards) > 500
    assert len(found["districts"]) == len({units.get(c).parent for c in every})
    assert {"code": "15922", "name": "Phường Long Anh", "district": "Thành phố Thanh Hóa"} in found["wards"]
    keys = [(vi_key(w["district"]), vi_key(w["name"])) for w in found["wards"]]
    assert keys == sorted(keys)  # Vietnamese order (test_collation.py)


def test_a_district_offers_its_wards_and_a_ward_itself():
    district = ui.units_under("380")["wards"]
    assert len(district) == len([u for u in units.all_units().values() if u.parent == "380"])
    assert all(w["district"] == "Thành phố Thanh Hóa" for w in district)
    assert ui.units_under("15922") == {"districts": [], "wards": [
        {"code": "15922", "name": "Phường Long Anh", "district": "Thành phố Thanh Hóa"}]}
