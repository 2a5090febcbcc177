"""Synthetic register data for the benchmarks: a village tenant register (.xlsx) and a million
person rows. Deterministic (seeded), no Django: the orchestrator writes these itself.

Resident ID numbers are valid GB 11643 numbers, `body + stdnum.cn.ric.calc_check_digit(body +
"0")`, with real region codes and birth dates, unique by construction (a bijection from a
counter onto (region, birth date, sequence)) and never one of `taken`. Phones are mainland
mobile numbers of prefixes phonenumbers accepts. Names need no normalising (name_norm == name).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric

# (region code, household registration place as people write it); Enping first and weighted.
REGIONS = (
    ("440785", "广东省恩平市"),
    ("440785", "广东省恩平市"),
    ("440785", "广东省恩平市"),
    ("440703", "广东省江门市蓬江区"),
    ("441781", "广东省阳春市"),
    ("445102", "广东省潮州市湘桥区"),
    ("450102", "广西壮族自治区南宁市兴宁区"),
    ("430102", "湖南省长沙市芙蓉区"),
    ("360102", "江西省南昌市东湖区"),
    ("510104", "四川省成都市锦江区"),
    ("420102", "湖北省武汉市江岸区"),
    ("421083", "湖北省洪湖市"),
)
SURNAMES = (
    "李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤甄冼岑"
)
GIVEN = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红建文辉新国庆春永志海燕云峰"
    "荣德宏金锦嘉俊家晓婷雪梅琳佳慧欣怡思源宇浩然子轩梓涵雨泽博"
)
PHONE_PREFIXES = tuple(
    f"1{n}"
    for n in (
        *(30, 31, 32, 33, 35, 36, 37, 38, 39, 50, 51, 52, 53, 55, 56, 57, 58, 59, 66, 73),
        *(75, 76, 77, 78, 80, 81, 82, 83, 85, 86, 87, 88, 89, 98, 99),
    )
)
RENTAL_WORDS = ("单家独户", "有小区管理的套间", "小产权房", "老旧商品楼", "网约房", "公寓")
ROADS = ("新平路", "恩城大道", "锦江路", "沿江路", "河南路", "东安路", "西门街", "南堤路", "岭南路")

BIRTH_FIRST = dt.date(1940, 1, 1)
BIRTH_LAST = dt.date(2015, 12, 31)
BIRTH_DAYS = (BIRTH_LAST - BIRTH_FIRST).days + 1
SEQUENCES = 999  # the three sequence digits, 001-999

# The header a village register carries (each a synonym epigrid/registry/imports.py TENANTS
# recognises), under a title row as villages make them.
TENANT_TITLE = "恩城街道出租屋租户登记表（2020年2月）"
TENANT_HEADER = (
    "序号",
    "所属网格",
    "出租屋地址",
    "房号",
    "出租屋类型",
    "租户姓名",
    "身份证号码",
    "联系电话",
    "户籍地",
    "入住日期",
)


def resident_id(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


class IdNumbers:
    """Distinct valid resident ID numbers: counter i maps to (region, birth date, sequence)
    through i * step mod N with step coprime to N, a bijection, so none repeats."""

    def __init__(self, seed: int, taken: set[str] | None = None) -> None:
        self.size = len(REGIONS) * BIRTH_DAYS * SEQUENCES
        rng = random.Random(seed)
        step = rng.randrange(self.size // 3, self.size // 2)
        while math.gcd(step, self.size) != 1:
            step += 1
        self.step = step
        self.offset = rng.randrange(self.size)
        self.counter = 0
        self.taken = taken or set()

    def next(self) -> tuple[str, dt.date, str, str]:
        """(number, birth date, sex, household registration place)."""
        while True:
            k = (self.offset + self.counter * self.step) % self.size
            self.counter += 1
            region_index, rest = divmod(k, BIRTH_DAYS * SEQUENCES)
            day, seq = divmod(rest, SEQUENCES)
            region, place = REGIONS[region_index]
            birth = BIRTH_FIRST + dt.timedelta(days=day)
            number = resident_id(f"{region}{birth:%Y%m%d}{seq + 1:03d}")
            if number not in self.taken:
                return number, birth, "m" if (seq + 1) % 2 else "f", place


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


# --------------------------------------------------------------------------- tenant register


@dataclass
class Register:
    path: Path
    rows: int  # data rows (persons), without title and header
    buildings: int
    units: int
    seconds: float  # to generate and write


def write_tenant_register(
    path: Path, rows: int, grids: list[str], *, seed: int = 2020, taken: set[str] | None = None
) -> Register:
    """A tenant register of `rows` tenants as a village sends it: a title row, the header, then
    one row per tenant, buildings of 1-3 rental units with 1-6 tenants each, spread over
    `grids` (small-grid codes). Written with openpyxl's write_only mode (constant memory)."""
    import time

    from openpyxl import Workbook

    started = time.perf_counter()
    rng = random.Random(seed)
    ids = IdNumbers(seed, taken)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("租户登记")
    sheet.append([TENANT_TITLE])
    sheet.append(list(TENANT_HEADER))
    written = buildings = units = 0
    while written < rows:
        buildings += 1
        grid = grids[rng.randrange(len(grids))]
        address = f"恩城{rng.choice(ROADS)}{buildings}号"
        for floor in range(1, rng.randint(1, 3) + 1):
            units += 1
            label = f"{floor}0{rng.randint(1, 4)}"
            kind = rng.choice(RENTAL_WORDS)
            for _tenant in range(rng.randint(1, 6)):
                if written >= rows:
                    break
                written += 1
                number, _birth, _sex, place = ids.next()
                move_in = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(400))
                sheet.append(
                    [
                        written,
                        grid,
                        address,
                        label,
                        kind,
                        person_name(rng),
                        number,
                        phone(rng),
                        place,
                        move_in,
                    ]
                )
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return Register(path, rows, buildings, units, time.perf_counter() - started)


# --------------------------------------------------------------------------- persons

PERSON_COLUMNS = (
    "version",
    "created_at",
    "updated_at",
    "jpath",
    "name",
    "name_norm",
    "doc_type",
    "doc_number",
    "doc_note",
    "birth_date",
    "sex",
    "phone",
    "hukou_place",
    "registered_on",
    "current_unit_id",
    "jurisdiction_id",
    "merged_into_id",
)


def person_rows(
    count: int,
    grids: list[tuple[int, str]],
    *,
    seed: int = 1_000_000,
    taken: set[str] | None = None,
    stamp: dt.datetime,
) -> Iterator[tuple]:
    """`count` active persons (columns PERSON_COLUMNS), each in one of `grids` ((id, path)
    of small grids) picked at random, so the grids' persons interleave by id as they would
    after months of registering. Each has a unique valid resident ID and a phone."""
    rng = random.Random(seed)
    ids = IdNumbers(seed, taken)
    first_day = dt.date(2020, 1, 20)
    for _i in range(count):
        grid_id, grid_path = grids[rng.randrange(len(grids))]
        number, birth, sex, place = ids.next()
        name = person_name(rng)
        yield (
            1,
            stamp,
            stamp,
            grid_path,
            name,
            name,
            "resident_id",
            number,
            "",
            birth,
            sex,
            phone(rng),
            place,
            first_day + dt.timedelta(days=rng.randrange(60)),
            None,
            grid_id,
            None,
        )
