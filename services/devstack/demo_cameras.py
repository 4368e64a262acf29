"""The camera registry of the demo district: the seed article's 1,911 cameras in 34 camera
programmes (one per ward, `CAMERA-<ward>`), each placed inside its ward (nearer to its ward's
centre than to any other ward's, as `units.nearest_ward` reads a point), with an invented owner
(a household, a shop, a school, a business, a public body), a contact and a retention.

`rows()` are the rows of the import file (`POST /cameras/import`, columns of
camera_import.COLUMNS), which `make run` uploads so the extraction service registers them
itself; `csv_bytes()` is that file. Deterministic: the same seed gives the same cameras."""
from __future__ import annotations

import csv
import io
import math
import random
from datetime import datetime, timedelta
from functools import lru_cache

from services.common import units
from services.common.times import VIETNAM

CAMERAS, CAMERA_PROGRAMMES = 1911, 34
COLUMNS = ("camera_id", "unit_code", "lat", "lon", "owner_kind", "owner_name", "owner_contact",
           "programme_code", "retention_days", "status", "installed_at")
FAMILY = ["Nguyễn", "Lê", "Trịnh", "Hoàng", "Phạm", "Trần", "Đỗ", "Vũ", "Lương", "Mai", "Hà", "Đinh"]
MIDDLE = ["Văn", "Thị", "Đình", "Minh", "Hữu", "Ngọc", "Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam",
         "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Tuấn", "Yến"]
SHOPS = ["Cửa hàng tạp hóa", "Cửa hàng điện thoại", "Tiệm vàng", "Quán cà phê", "Cửa hàng vật liệu xây dựng",
         "Hiệu thuốc", "Cửa hàng xe máy"]
SHOP_NAMES = ["Minh Anh", "Hồng Phát", "Thành Đạt", "Bảo Ngọc", "Phú Quý", "Hoa Mai", "Tân Tiến", "Kim Long"]
BUSINESSES = ["Công ty TNHH Thương mại", "Công ty Cổ phần Xây dựng", "Công ty TNHH Vận tải", "Khách sạn",
              "Ngân hàng TMCP chi nhánh"]
SCHOOLS = ["Trường Mầm non", "Trường Tiểu học", "Trường THCS"]
PUBLIC = ["UBND", "Trạm Y tế", "Nhà văn hóa khu phố"]
# (owner kind of the registry, weight): households most, then shops and businesses, schools and offices
KINDS = [("household", 55), ("shop", 20), ("business", 12), ("school", 7), ("public", 6)]
RETENTION_DAYS = [(7, 20), (15, 35), (30, 35), (60, 7), (90, 3)]  # days, weight


@lru_cache(maxsize=None)
def wards_with_cameras(district: str = "380", programmes: int = CAMERA_PROGRAMMES) -> tuple[str, ...]:
    """The wards of the district that have a camera programme (the first ones by code)."""
    return tuple(sorted(c for c, u in units.all_units().items() if u.parent == district)[:programmes])


@lru_cache(maxsize=None)
def _radius(ward: str) -> float:
    """A radius (degrees of latitude) around the ward's centre inside which every point is
    nearer to it than to any other ward's centre: 0.45 of the distance to the nearest one."""
    me = units.get(ward)
    scale = math.cos(math.radians(me.lat))
    nearest = min(math.hypot(u.lat - me.lat, (u.lon - me.lon) * scale)
                  for u in units.all_units().values()
                  if u.level == "ward" and u.code != ward and u.lat is not None and u.lon is not None)
    return 0.45 * nearest


def _weighted(rnd: random.Random, pairs: list[tuple]) -> object:
    return rnd.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _person(rnd: random.Random) -> str:
    return f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"


def owner(rnd: random.Random, ward_name: str) -> tuple[str, str]:
    """(owner_kind of the registry, owner's name) of an invented owner in the ward."""
    kind = _weighted(rnd, KINDS)
    short = ward_name.removeprefix("Phường ").removeprefix("Xã ").removeprefix("Thị trấn ")
    if kind == "household":
        return "household", f"Hộ {rnd.choice(['ông', 'bà'])} {_person(rnd)}"
    if kind == "shop":
        return "business", f"{rnd.choice(SHOPS)} {rnd.choice(SHOP_NAMES)}"
    if kind == "business":
        return "business", f"{rnd.choice(BUSINESSES)} {rnd.choice(SHOP_NAMES)}"
    if kind == "school":
        return "public_body", f"{rnd.choice(SCHOOLS)} {short}"
    return "public_body", f"{rnd.choice(PUBLIC)} {ward_name if kind == 'public' else short}"


def rows(district: str = "380", scale: float = 1.0, seed: int = 2024, until_year: int = 2024) -> list[dict]:
    """The registry's rows: `CAMERAS * scale` cameras spread over the wards with programmes,
    installed in the three years before the end of `until_year` (by 20 October)."""
    rnd = random.Random(f"cameras-{seed}-{district}")
    count = max(1, round(CAMERAS * scale))
    wards = wards_with_cameras(district, max(1, round(CAMERA_PROGRAMMES * scale)))
    first = datetime(until_year - 2, 1, 1, 8, tzinfo=VIETNAM)
    out = []
    for i in range(count):
        ward = wards[i % len(wards)]
        unit = units.get(ward)
        r, angle = _radius(ward) * math.sqrt(rnd.random()), rnd.uniform(0, 2 * math.pi)
        lat = unit.lat + r * math.sin(angle)
        lon = unit.lon + r * math.cos(angle) / math.cos(math.radians(unit.lat))
        kind, name = owner(rnd, unit.name)
        installed = first + timedelta(days=rnd.uniform(0, 2 * 365 + 290), minutes=rnd.randrange(600))
        out.append({"camera_id": f"CAM-{ward}-{i:04d}", "unit_code": ward, "lat": round(lat, 6),
                    "lon": round(lon, 6), "owner_kind": kind, "owner_name": name,
                    "owner_contact": f"09{rnd.randrange(10**8):08d}", "programme_code": f"CAMERA-{ward}",
                    "retention_days": _weighted(rnd, RETENTION_DAYS), "status": "broken" if i % 53 == 0 else "working",
                    "installed_at": installed.isoformat(timespec="seconds")})
    return out


def csv_bytes(registry: list[dict]) -> bytes:
    """The registry as the CSV file an operator would upload (UTF-8, header first)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(registry)
    return out.getvalue().encode()
