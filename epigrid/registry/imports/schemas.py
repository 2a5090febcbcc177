"""The columns of the register's imports, with the many names villages give them."""

from django.utils.translation import gettext_lazy as _lazy

from epigrid.spreadsheets.columns import Column, Schema
from epigrid.spreadsheets.values import choice_parser, parse_code, parse_date, parse_text

from ..models import DocType, RentalKind, Transport

RENTAL_WORDS = {
    "单家独户": RentalKind.SINGLE_HOUSEHOLD,
    "独户": RentalKind.SINGLE_HOUSEHOLD,
    "有小区管理的套间": RentalKind.MANAGED_SUITE,
    "小区套间": RentalKind.MANAGED_SUITE,
    "套间": RentalKind.MANAGED_SUITE,
    "小产权房": RentalKind.SMALL_PROPERTY,
    "老旧商品楼": RentalKind.OLD_COMMERCIAL,
    "网约房": RentalKind.ONLINE_RENTAL,
    "民宿": RentalKind.ONLINE_RENTAL,
    "公寓": RentalKind.SERVICED_APARTMENT,
    **{k.value: k for k in RentalKind},
}
DOC_WORDS = {
    "身份证": DocType.RESIDENT_ID,
    "居民身份证": DocType.RESIDENT_ID,
    "护照": DocType.PASSPORT,
    "港澳通行证": DocType.HK_MACAO,
    "回乡证": DocType.HK_MACAO,
    "台胞证": DocType.TAIWAN,
    "台湾通行证": DocType.TAIWAN,
    "其他": DocType.OTHER,
    **{k.value: k for k in DocType},
}
TRANSPORT_WORDS = {
    "火车": Transport.TRAIN,
    "高铁": Transport.TRAIN,
    "动车": Transport.TRAIN,
    "飞机": Transport.FLIGHT,
    "航班": Transport.FLIGHT,
    "大巴": Transport.BUS,
    "客车": Transport.BUS,
    "汽车": Transport.BUS,
    "自驾": Transport.CAR,
    "私家车": Transport.CAR,
    "其他": Transport.OTHER,
    **{k.value: k for k in Transport},
}

PERSON_COLUMNS = (
    Column("grid", _lazy("Grid"), ("所属网格", "网格", "网格名称", "网格编码"), parse_text),
    Column(
        "name",
        _lazy("Name"),
        ("姓名", "租户姓名", "承租人", "承租人姓名", "租客姓名", "人员姓名"),
        parse_text,
        required=True,
    ),
    Column("doc_type", _lazy("Document"), ("证件类型",), choice_parser(DOC_WORDS)),
    Column(
        "doc_number",
        _lazy("Document number"),
        ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "证件号"),
        parse_code,
    ),
    Column(
        "phone",
        _lazy("Phone"),
        ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"),
        parse_code,
    ),
    Column(
        "hukou",
        _lazy("Household registration"),
        ("户籍地", "户籍地址", "户籍所在地", "籍贯", "户口所在地"),
        parse_text,
    ),
)

TENANTS = Schema(
    "tenants",
    (
        *PERSON_COLUMNS,
        Column(
            "address",
            _lazy("Address"),
            ("地址", "出租屋地址", "房屋地址", "详细地址", "住址", "现住址", "居住地址"),
            parse_text,
            required=True,
        ),
        Column("unit", _lazy("Unit"), ("房号", "门牌号", "房间号", "室号", "房间"), parse_text),
        Column(
            "rental_kind",
            _lazy("Rental kind"),
            ("出租屋类型", "房屋类型", "出租类型"),
            choice_parser(RENTAL_WORDS),
        ),
        Column(
            "landlord",
            _lazy("Landlord"),
            ("房东姓名", "房东", "业主姓名", "出租人", "出租人姓名"),
            parse_text,
        ),
        Column(
            "landlord_doc",
            _lazy("Landlord's ID number"),
            ("房东身份证号", "房东身份证号码", "业主身份证号", "出租人身份证号"),
            parse_code,
        ),
        Column(
            "move_in",
            _lazy("Moved in"),
            ("入住日期", "入住时间", "租住时间", "起租日期", "来恩时间"),
            parse_date,
        ),
    ),
)

ARRIVALS = Schema(
    "arrivals",
    (
        *PERSON_COLUMNS,
        Column(
            "arrived_on",
            _lazy("Arrived on"),
            ("抵达日期", "到达日期", "返回日期", "返恩日期", "来恩日期", "抵恩时间", "到达时间"),
            parse_date,
            required=True,
        ),
        Column(
            "from_place",
            _lazy("From"),
            ("出发地", "从何地来", "来源地", "来自", "始发地"),
            parse_text,
            required=True,
        ),
        Column(
            "from_code",
            _lazy("Region code"),
            ("出发地代码", "行政区划代码", "区划代码"),
            parse_code,
        ),
        Column("via", _lazy("Passed through"), ("途经地", "途经", "途经地区"), parse_text),
        Column(
            "transport",
            _lazy("Transport"),
            ("交通方式", "交通工具", "出行方式"),
            choice_parser(TRANSPORT_WORDS),
        ),
        Column(
            "trip_number",
            _lazy("Trip number"),
            ("车次", "航班号", "车次航班", "车牌号", "车次/航班"),
            parse_text,
        ),
    ),
)
