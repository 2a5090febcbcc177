"""Temperature checkpoints in the reference scenario: the seed's 128 測温点 per subdistrict,
"every vehicle checked, every person tested" from 27 January (when the grids were set up)
until the as-of day, 16 February.

Per subdistrict: 8 city entrances at the centre (in the first grid of eight communities),
54 village entrances (three at each of the 18 villages, each with its publicity,
persuasion and tracking posts), 46 compound gates in the communities and 20 road points in
the villages. Each checkpoint's posts are duty-roster posts with shifts on the last two
days, a few night shifts left unfilled so the rosters show uncovered hours.

Three weeks of checks at a modest volume (about 10 a checkpoint a day, more at the city
entrances), a share of non-local vehicles, a few persuaded to turn back (more during the
Spring Festival visits), and five fevers that went through `services.fever.fever_found`
like any other (persons registered, key-person category, alerts with their referral; one
re-tested the same afternoon, one still being seen to on the as-of day). The checks are
written in bulk (core.bulk.insert_rows) and the hourly figures built from them by
`services.rollups.hours_rebuild`, so the rollups agree with the checks by construction.

Every subdistrict draws its counts and times from the same fixed generator, so its
figures are Encheng's exactly and the city's K times them at --scale K; names, phone and
document numbers (and the checks' UUIDs) come from the scenario's seeded generator: people
change with --seed, counts do not.
"""

import datetime as dt
import itertools
import random
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.core.bulk import insert_rows
from epigrid.policy.selectors import policy_value
from epigrid.quarantine.models import (
    Alert,
    AlertOutcome,
    DiagnosisOutcome,
    ReferralEvent,
    ReferralStep,
)
from epigrid.rosters.models import Post, PostKind, Shift, ShiftMember
from epigrid.scenarios import encheng
from epigrid.scenarios.builder import AS_OF, START, ScenarioContext, part

from . import rules
from .models import (
    Check,
    CheckPerson,
    Checkpoint,
    CheckpointKind,
    CheckpointPost,
    CheckResult,
    Mode,
    PostRole,
    Source,
)
from .services.fever import fever_found
from .services.rollups import hours_rebuild

K = CheckpointKind
CITY_ENTRANCES = 8
VILLAGE_ENTRANCES = 3  # per village
COMPOUND_GATES = 46  # over the communities
ROAD_POINTS = 20  # over the villages
DAY_MINUTES = 24 * 60
# Opening hours (minutes after midnight) and checks a day, by kind.
HOURS: dict[str, tuple[int, int]] = {
    K.CITY_ENTRANCE: (0, DAY_MINUTES),
    K.VILLAGE_ENTRANCE: (0, DAY_MINUTES),
    K.COMPOUND_GATE: (6 * 60, 23 * 60),
    K.ROAD: (7 * 60, 21 * 60),
}
PER_DAY: dict[str, int] = {
    K.CITY_ENTRANCE: 24,
    K.VILLAGE_ENTRANCE: 12,
    K.COMPOUND_GATE: 8,
    K.ROAD: 6,
}
VEHICLE_SHARE: dict[str, float] = {
    K.CITY_ENTRANCE: 0.7,
    K.VILLAGE_ENTRANCE: 0.5,
    K.COMPOUND_GATE: 0.1,
    K.ROAD: 0.6,
}
NONLOCAL_SHARE = 0.15  # of vehicles
FESTIVAL_END = dt.date(2020, 2, 1)  # visits during the Spring Festival holiday
TURNED_BACK = {True: 0.06, False: 0.02}  # during the festival, after
LOCAL_PLATE = "粤J"
OTHER_PLATES = ["粤A", "粤A", "粤B", "粤E", "粤E", "粤Q", "湘A", "桂A", "赣B", "鄂A"]
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
ORIGINS = ["江门", "开平", "台山", "鹤山", "新会", "阳江", "广州", "佛山", "深圳"]
STREETS = ["恩城大道", "新平路", "锦江大道", "西门路", "南堤东路", "江南路", "康华路", "东华路"]
GATES = ["东", "西", "南"]
# (day index from START, checkpoint index, hour, minute, temperature, re-test minutes later
# or None): the fevers found, each carried through the referral.
FEVERS = [
    (3, 0, 10, 20, "38.1", None),
    (7, 12, 15, 40, "37.8", 20),
    (11, 70, 9, 5, "38.5", None),
    (16, 110, 11, 30, "37.9", None),
    (20, 1, 8, 40, "38.3", None),  # the as-of day: still being seen to
]
SHIFT_DAYS = 2  # shifts on the last days up to the as-of day
UNFILLED_EVERY = 7  # every 7th post's night shift of the as-of day has nobody


def _rng() -> random.Random:
    """The same counts and times for every subdistrict and every --seed (see the module):
    the figures are the scenario's, the people the seed's."""
    return random.Random("epigrid:checkpoints")


def _local(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min)) + dt.timedelta(
        minutes=minutes
    )


def _layout(sub, units: list, small_by_unit: dict) -> list[tuple[str, str, Any]]:
    """The subdistrict's 128 checkpoints: (name, kind, small grid)."""
    communities = [u for u in units if u.kind == "community"]
    villages = [u for u in units if u.kind == "village"]
    out: list[tuple[str, str, Any]] = []
    for i in range(CITY_ENTRANCES):
        unit = communities[i % len(communities)]
        out.append((f"{STREETS[i]}入城口测温点", K.CITY_ENTRANCE, small_by_unit[unit.pk][0]))
    for unit in villages:
        for j in range(VILLAGE_ENTRANCES):
            out.append(
                (f"{unit.name}{GATES[j]}村口", K.VILLAGE_ENTRANCE, small_by_unit[unit.pk][j])
            )
    for i in range(COMPOUND_GATES):
        unit = communities[i % len(communities)]
        grids = small_by_unit[unit.pk]
        grid = grids[1 + (i // len(communities)) % (len(grids) - 1)]
        out.append((f"{grid.name}小区门岗{i // len(communities) + 1}", K.COMPOUND_GATE, grid))
    for i in range(ROAD_POINTS):
        unit = villages[i % len(villages)]
        grids = small_by_unit[unit.pk]
        out.append(
            (
                f"{unit.name}路口测温点{i // len(villages) + 1}",
                K.ROAD,
                grids[3 + i // len(villages)],
            )
        )
    return out


def _plate(rng: random.Random, prefix: str) -> str:
    """The prefix and five letters or digits, from one draw."""
    n, chars = rng.getrandbits(30), []
    for _ in range(5):
        n, k = divmod(n, 64)
        chars.append(PLATE_CHARS[k % len(PLATE_CHARS)])
    return prefix + "".join(chars)


@part(order=70)
def build_checkpoints(ctx: ScenarioContext) -> None:
    units_by_sub: dict[int, list] = {}
    for unit in ctx.data["units"]:
        units_by_sub.setdefault(unit.parent_id, []).append(unit)
    small_by_unit: dict[int, list] = {}
    big_to_unit = {g.pk: g.parent_id for g in ctx.data["big_grids"]}
    for grid in sorted(ctx.data["small_grids"], key=lambda g: g.path):
        small_by_unit.setdefault(big_to_unit[grid.parent_id], []).append(grid)
    staff_by_node = ctx.data.get("staff_by_node", {})
    people = ctx.rng  # names, phones, documents: change with --seed
    codes: set[str] = set()

    def public_code() -> str:
        while True:
            code = "".join(people.choice(PLATE_CHARS.lower()) for _ in range(8))
            if code not in codes:
                codes.add(code)
                return code

    points: list[Checkpoint] = []
    for sub in ctx.data["subdistricts"]:
        for name, kind, grid in _layout(sub, units_by_sub[sub.pk], small_by_unit):
            opens, closes = HOURS[kind]
            points.append(
                Checkpoint(
                    name=name,
                    kind=kind,
                    jurisdiction=grid,
                    jpath=grid.path,
                    location=name,
                    opens_at=opens,
                    closes_at=closes,
                    public_code=public_code(),
                    active_from=START,
                )
            )
    points = Checkpoint.objects.bulk_create(points, batch_size=1000)
    per_sub = len(points) // len(ctx.data["subdistricts"])

    _posts(points, staff_by_node)
    fevers = _checks(points, per_sub, people)
    hours = hours_rebuild(checkpoint_ids=[p.pk for p in points])
    alerts = _fevers(fevers)

    ctx.count("checkpoints", len(points))
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="checkpoints.checkpoint",
        entity_id="*",
        entity_label=f"{len(points)} temperature checkpoints",
        jpath=ctx.data["city"].path,
        after={"checkpoints": len(points), "hours": hours, "fever_alerts": alerts},
    )


def _posts(points: list[Checkpoint], staff_by_node: dict) -> None:
    """Each checkpoint's posts as roster posts, with shifts on the last days."""
    roles: dict[str, list[tuple[str, str, int, int]]] = {
        K.VILLAGE_ENTRANCE: [
            (PostRole.PUBLICITY, "宣传岗", 8 * 60, 20 * 60),
            (PostRole.PERSUASION, "劝导岗", 0, DAY_MINUTES),
            (PostRole.TRACKING, "跟踪岗", 8 * 60, 22 * 60),
        ],
    }
    posts: list[Post] = []
    links: list[tuple[Checkpoint, str]] = []
    for point in points:
        for role, label, start, end in roles.get(
            point.kind, [(PostRole.CHECKING, "测温岗", point.opens_at, point.closes_at)]
        ):
            posts.append(
                Post(
                    name=f"{point.name}{label}",
                    kind=PostKind.CHECKPOINT,
                    jurisdiction_id=point.jurisdiction_id,
                    jpath=point.jpath,
                    covers_from=start,
                    covers_until=end,
                    active_from=START,
                )
            )
            links.append((point, role))
    posts = Post.objects.bulk_create(posts, batch_size=1000)
    CheckpointPost.objects.bulk_create(
        [
            CheckpointPost(checkpoint=point, post=post, role=role)
            for post, (point, role) in zip(posts, links, strict=True)
        ],
        batch_size=1000,
    )
    shifts: list[Shift] = []
    crews: list[list[int]] = []
    for index, (post, (point, _role)) in enumerate(zip(posts, links, strict=True)):
        crew = [s.pk for s in staff_by_node.get(point.jurisdiction_id, [])]
        for back in range(SHIFT_DAYS - 1, -1, -1):
            day = AS_OF - dt.timedelta(days=back)
            start, end = post.covers_from, post.covers_until
            if end <= start:
                end += DAY_MINUTES
            cuts = [*range(start, end, 8 * 60), end]
            for k, (a, b) in enumerate(itertools.pairwise(cuts)):
                # Nobody on some posts' night shift of the as-of day: uncovered hours show.
                if back == 0 and a == 0 and index % UNFILLED_EVERY == 0 and len(cuts) > 2:
                    continue
                shifts.append(
                    Shift(
                        post=post,
                        jpath=post.jpath,
                        starts_at=_local(day, a),
                        ends_at=_local(day, b),
                        note="交接：体温计已消毒，登记表已收齐" if k else "",
                    )
                )
                crews.append(crew[k % len(crew) : k % len(crew) + 1] if crew else [])
    shifts = Shift.objects.bulk_create(shifts, batch_size=2000)
    ShiftMember.objects.bulk_create(
        [
            ShiftMember(shift=shift, staff_id=staff)
            for shift, crew in zip(shifts, crews, strict=True)
            for staff in crew
        ],
        batch_size=5000,
    )


def _checks(points, per_sub: int, people: random.Random) -> list[list[int]]:
    """Inserts the checks and their persons; returns the fever checks' ids, each list one
    fever (its re-test after it). Tens of thousands of rows a subdistrict: the draws use
    `random()` and lookups, not `randrange`/`choice`, which cost several times more."""
    local_plates = policy_value("checkpoint_local_plates", on=AS_OF)
    nonlocal_by_prefix = {
        prefix: not rules.is_local(prefix, local_plates) for prefix in {*OTHER_PLATES, LOCAL_PLATE}
    }
    days = [START + dt.timedelta(days=i) for i in range((AS_OF - START).days + 1)]
    midnights = {day: _local(day, 0) for day in days}
    minute = dt.timedelta(minutes=1)
    now = timezone.now()
    temps = [Decimal(t) / 10 for t in range(360, 372)]  # never a fever
    occupancy = [1, 1, 1, 2, 2, 3, 4]
    # Travellers: a pool of names and phones (a phone for six in ten), drawn per person.
    names = [encheng.person_name(people) for _ in range(4000)]
    phones = [encheng.mobile(people) if people.random() < 0.6 else "" for _ in range(4000)]
    pick = people.random
    check_rows: list[tuple] = []
    person_rows: list[list] = []  # per check: (name, phone, doc, temperature, fever)
    fever_rows: dict[tuple[int, int], list[int]] = {}  # (subdistrict, fever) -> row indexes
    as_hex = connection.vendor == "sqlite"
    for s in range(0, len(points), per_sub):
        rng = _rng()
        r = rng.random
        sub_points = points[s : s + per_sub]
        for point in sub_points:
            opens, span = point.opens_at, point.closes_at - point.opens_at
            base, vehicles = PER_DAY[point.kind], VEHICLE_SHARE[point.kind]
            for day in days:
                midnight = midnights[day]
                turn_back = TURNED_BACK[day < FESTIVAL_END]
                for _ in range(base - 3 + int(r() * 7)):
                    # Busier by day: two draws, keep the one nearer the afternoon.
                    m1, m2 = opens + int(r() * span), opens + int(r() * span)
                    at = midnight + minute * (m1 if abs(m1 - 900) < abs(m2 - 900) else m2)
                    vehicle = r() < vehicles
                    if vehicle:
                        nonlocal_ = r() < NONLOCAL_SHARE
                        prefix = (
                            OTHER_PLATES[int(r() * len(OTHER_PLATES))] if nonlocal_ else LOCAL_PLATE
                        )
                        plate = _plate(rng, prefix)
                        occupants = occupancy[int(r() * len(occupancy))]
                    else:
                        plate, occupants = "", 1
                    result = CheckResult.TURNED_BACK if r() < turn_back else CheckResult.PASSED
                    check_rows.append(
                        _row(point, at, vehicle, plate, occupants, result,
                             nonlocal_by_prefix, rng, people, now, as_hex)
                    )  # fmt: skip
                    person_rows.append(
                        [
                            (names[int(pick() * 4000)], phones[int(pick() * 4000)], "",
                             temps[int(r() * len(temps))], False)
                            for _ in range(occupants)
                        ]
                    )  # fmt: skip
        for number, (day_i, point_i, hour, minutes, temp, retest) in enumerate(FEVERS):
            point = sub_points[point_i]
            at = _local(days[day_i], hour * 60 + minutes)
            name = encheng.person_name(people)
            doc = _resident_id(people)
            phone = encheng.mobile(people)
            for later, t in ((0, temp), (retest, "37.6")) if retest else ((0, temp),):
                check_rows.append(
                    _row(point, at + dt.timedelta(minutes=later), False, "", 1,
                         CheckResult.FEVER, nonlocal_by_prefix, rng, people, now, as_hex)
                )  # fmt: skip
                person_rows.append([(name, phone, doc, Decimal(t), True)])
                fever_rows.setdefault((s, number), []).append(len(check_rows) - 1)
    ids = insert_rows(
        Check,
        [
            "uuid",
            "checkpoint",
            "jpath",
            "checked_at",
            "received_at",
            "mode",
            "plate",
            "plate_prefix",
            "nonlocal_vehicle",
            "persons",
            "origin",
            "destination",
            "result",
            "source",
            "note",
        ],
        check_rows,
    )
    insert_rows(
        CheckPerson,
        ["check_row", "seq", "name", "doc_type", "doc_number", "phone", "temperature", "fever"],
        [
            (check_id, seq, name, "resident_id" if doc else "", doc, phone, t, fever)
            for check_id, persons in zip(ids, person_rows, strict=True)
            for seq, (name, phone, doc, t, fever) in enumerate(persons, start=1)
        ],
    )
    return [[ids[i] for i in rows] for rows in fever_rows.values()]


def _resident_id(rng: random.Random) -> str:
    """A valid resident identity number of Enping (check character computed)."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    body = f"440785{birth:%Y%m%d}{rng.randrange(1, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def _row(
    point, at, vehicle, plate, occupants, result, nonlocal_by_prefix, rng, people, now, as_hex
) -> tuple:
    prefix = plate[:2]
    draw = rng.random()
    paper = draw < 0.1
    source = Source.PAPER if paper else (Source.SELF_FILL if draw < 0.15 else Source.DEVICE)
    received = (
        at.replace(hour=21, minute=0) if paper and at.hour < 21 else at + dt.timedelta(minutes=1)
    )
    # A version-4 UUID from the seeded generator (uuid4() reads the OS's entropy, slower).
    n = (
        (people.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48))
        | (0x4000 << 64)
        | (0x8000 << 48)
    )
    return (
        f"{n:032x}" if as_hex else uuid.UUID(int=n),
        point.pk,
        point.jpath,
        at,
        min(received, now),
        Mode.VEHICLE if vehicle else Mode.FOOT,
        plate,
        prefix,
        bool(vehicle and nonlocal_by_prefix[prefix]),
        occupants,
        ORIGINS[int(draw * 1000) % len(ORIGINS)] if vehicle else "",
        point.name[:2] if vehicle else "",
        result,
        source,
        "",
    )


def _fevers(groups: list[list[int]]) -> int:
    """Each fever through fever_found, as the ingest service calls it; then the referral of
    those before the as-of day carried to "excluded", the as-of day's one isolated."""
    checks = {
        c.pk: c
        for c in Check.objects.select_related("checkpoint__jurisdiction").filter(
            pk__in=[pk for g in groups for pk in g]
        )
    }
    entries: dict[int, list[CheckPerson]] = {}
    for e in CheckPerson.objects.filter(check_row_id__in=list(checks)).order_by("seq"):
        entries.setdefault(e.check_row_id, []).append(e)
    raised: dict[int, Alert] = {}
    for group in groups:
        for pk in group:
            for alert in fever_found(actor=SYSTEM, check=checks[pk], entries=entries[pk]):
                raised[alert.pk] = alert
    as_of_start = _local(AS_OF, 0)
    steps: list[ReferralEvent] = []
    closed: list[Alert] = []
    for alert in raised.values():
        t = alert.raised_at
        steps.append(
            ReferralEvent(alert=alert, step=ReferralStep.ISOLATED, at=t + dt.timedelta(minutes=15))
        )
        if t >= as_of_start:
            continue
        diagnosed = t + dt.timedelta(hours=20)
        steps += [
            ReferralEvent(
                alert=alert, step=ReferralStep.TRANSPORTED, at=t + dt.timedelta(minutes=50)
            ),
            ReferralEvent(
                alert=alert,
                step=ReferralStep.DIAGNOSED,
                at=diagnosed,
                diagnosis=DiagnosisOutcome.EXCLUDED,
            ),
        ]
        alert.closed_at = diagnosed + dt.timedelta(minutes=30)
        alert.outcome = AlertOutcome.EXCLUDED
        alert.close_note = "发热门诊排查，核酸检测阴性，排除"
        alert.version += 1
        closed.append(alert)
    ReferralEvent.objects.bulk_create(steps)
    Alert.objects.bulk_update(closed, ["closed_at", "outcome", "close_note", "version"])
    return len(raised)
