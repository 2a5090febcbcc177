"""Pure rules of checkpoints (no database here): vehicle plates and which of them are local.

A mainland plate (GA 36) is a province character, the city's letter (A-Z without I and O),
then five characters (an ordinary plate, the last of which may be 学 driving school, 警
police, 挂 trailer, 港/澳 cross-border or 领 consulate) or six (a new-energy plate), letters
and digits without I and O. People type them with full-width letters, spaces, a middle dot
(粤J·12345) or in lower case; `parse_plate` folds all of that away.

Temperature bounds and the fever rule are the quarantine app's (`epigrid.quarantine.rules`:
TEMPERATURE_MIN/MAX, is_fever) judged under the checkpoint policy of the check's day.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

PROVINCES: dict[str, str] = {
    "京": "北京",
    "津": "天津",
    "沪": "上海",
    "渝": "重庆",
    "冀": "河北",
    "豫": "河南",
    "云": "云南",
    "辽": "辽宁",
    "黑": "黑龙江",
    "湘": "湖南",
    "皖": "安徽",
    "鲁": "山东",
    "新": "新疆",
    "苏": "江苏",
    "浙": "浙江",
    "赣": "江西",
    "鄂": "湖北",
    "桂": "广西",
    "甘": "甘肃",
    "晋": "山西",
    "蒙": "内蒙古",
    "陕": "陕西",
    "吉": "吉林",
    "闽": "福建",
    "贵": "贵州",
    "粤": "广东",
    "青": "青海",
    "藏": "西藏",
    "川": "四川",
    "宁": "宁夏",
    "琼": "海南",
}

# The capital (letter A) of every province; every city of Guangdong, where Encheng is.
CITIES: dict[str, str] = {
    "京A": "北京",
    "津A": "天津",
    "沪A": "上海",
    "渝A": "重庆",
    "冀A": "石家庄",
    "豫A": "郑州",
    "云A": "昆明",
    "辽A": "沈阳",
    "黑A": "哈尔滨",
    "湘A": "长沙",
    "皖A": "合肥",
    "鲁A": "济南",
    "新A": "乌鲁木齐",
    "苏A": "南京",
    "浙A": "杭州",
    "赣A": "南昌",
    "鄂A": "武汉",
    "桂A": "南宁",
    "甘A": "兰州",
    "晋A": "太原",
    "蒙A": "呼和浩特",
    "陕A": "西安",
    "吉A": "长春",
    "闽A": "福州",
    "贵A": "贵阳",
    "粤A": "广州",
    "青A": "西宁",
    "藏A": "拉萨",
    "川A": "成都",
    "宁A": "银川",
    "琼A": "海口",
    "粤B": "深圳",
    "粤C": "珠海",
    "粤D": "汕头",
    "粤E": "佛山",
    "粤F": "韶关",
    "粤G": "湛江",
    "粤H": "肇庆",
    "粤J": "江门",
    "粤K": "茂名",
    "粤L": "惠州",
    "粤M": "梅州",
    "粤N": "汕尾",
    "粤P": "河源",
    "粤Q": "阳江",
    "粤R": "清远",
    "粤S": "东莞",
    "粤T": "中山",
    "粤U": "潮州",
    "粤V": "揭阳",
    "粤W": "云浮",
    "粤X": "佛山(顺德)",
    "粤Y": "佛山(南海)",
    "粤Z": "港澳",
}

_LETTER = "A-HJ-NP-Z"  # no I, no O (they read as 1 and 0)
_ALNUM = f"{_LETTER}0-9"
_SUFFIX = "学警挂港澳领"
PLATE_RE = re.compile(
    f"^([{''.join(PROVINCES)}])([{_LETTER}])([{_ALNUM}]{{4}}[{_ALNUM}{_SUFFIX}]|[{_ALNUM}]{{6}})$"
)
# Separators people put in a plate: white space, middle dots, hyphens.
_NOISE = re.compile(r"[\s·•・‧∙.\-_—–]+")
MAX_INPUT = 40  # longer input is not a plate and is not worth normalising


@dataclass(frozen=True)
class Plate:
    plate: str  # normalised, e.g. 粤J12345
    prefix: str  # province character and city letter, e.g. 粤J
    province: str  # e.g. 广东
    city: str  # e.g. 江门, or "" when not in the table

    @property
    def new_energy(self) -> bool:
        return len(self.plate) == 8


def normalize_plate(text: object) -> str:
    """Full-width letters and digits to ASCII, separators out, upper case."""
    value = str(text or "")
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return _NOISE.sub("", value).upper()


@functools.lru_cache(maxsize=4096)
def _parse(value: str) -> Plate | None:
    match = PLATE_RE.match(value)
    if match is None:
        return None
    province, letter, _rest = match.groups()
    prefix = province + letter
    return Plate(
        plate=value, prefix=prefix, province=PROVINCES[province], city=CITIES.get(prefix, "")
    )


def parse_plate(text: object) -> Plate | None:
    """The plate in its stored form with its province and city, or None for anything that is
    not a mainland plate."""
    if text is None or len(str(text)) > MAX_INPUT:
        return None
    return _parse(normalize_plate(text))


def prefix_name(prefix: str) -> str:
    """粤J -> 广东江门; 粤 -> 广东; an unknown prefix as given."""
    province = PROVINCES.get(prefix[:1], "")
    return province + CITIES.get(prefix, "") if province else prefix


def is_local(prefix: str, local_prefixes: Iterable[str]) -> bool:
    """A plate prefix (粤J) is local when a local entry names it ("粤J") or its whole
    province ("粤")."""
    if not prefix:
        return False
    for entry in local_prefixes:
        entry = normalize_plate(entry)
        if len(entry) == 1 and entry == prefix[:1]:
            return True
        if entry == prefix[:2]:
            return True
    return False
