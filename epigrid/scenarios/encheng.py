"""The Encheng subdistrict of the seed (Jiangmen Daily, 18 Feb 2020), as numbers.

Every count a part builds comes from here; `--scale K` builds K subdistricts of this shape.
"""

VILLAGES = 18
COMMUNITIES = 10  # each with a "big party committee"
BIG_GRIDS_PER_VILLAGE = 1  # 28 villages/communities, 28 big grids
SMALL_GRIDS = 228
GRID_WORKERS = 1092
TASK_FORCES = 15

CITY_CODE = "440785"
CITY_NAME = "恩平市"
SUBDISTRICT_NAME = "恩城街道"

COMMUNITY_NAMES = [
    "青云社区",
    "南堤社区",
    "东门社区",
    "西门社区",
    "北门社区",
    "新平社区",
    "江洲社区",
    "永华社区",
    "恩新社区",
    "城南社区",
]
VILLAGE_NAMES = [
    "锦岗村",
    "郁文村",
    "黄角村",
    "平塘村",
    "岗坪村",
    "石螺冈村",
    "沙湖村",
    "新建村",
    "河南村",
    "东安村",
    "西安村",
    "小江村",
    "横陂村",
    "莲塘村",
    "三山村",
    "大塘村",
    "长安村",
    "塘龙村",
]
assert len(COMMUNITY_NAMES) == COMMUNITIES and len(VILLAGE_NAMES) == VILLAGES

SURNAMES = "陈李梁黄吴冯郑张刘何岑谭甄邓关杨周林郭麦伍冼区苏罗"
GIVEN = "伟强华明志敏静丽芳娟兴祥国平建军秀英海燕桂珍文辉家豪嘉欣晓营锦红永德少春美玲"


def person_name(rng) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.8 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng) -> str:
    return (
        rng.choice(["138", "139", "135", "137", "150", "152", "186", "189"])
        + f"{rng.randrange(10**8):08d}"
    )
