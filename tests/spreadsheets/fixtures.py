"""Files of the kind villages send, built for tests, and a throwaway import kind ("people").

The kind keeps its people in a dict, which takes a batch's rows only when the batch function
returns (a crash is simulated inside it), and writes an audit event per person it creates or
updates: a real table, whose rows of a crashed batch the batch's transaction must roll back."""

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

from epigrid.audit.services import audit_record
from epigrid.spreadsheets.columns import Column, Schema
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.kinds import BatchResult, ImportKind
from epigrid.spreadsheets.values import parse_code, parse_date, parse_int, parse_text

TITLE = "锦岗村出租屋租户登记表"
HEADER = ["序号", "租户姓名", "身份证号码(必填)", "联系电话", "来恩日期", "同住人数"]

PEOPLE = Schema(
    kind="people",
    columns=(
        Column("name", "Name", ("姓名", "租户姓名", "名字"), parse_text, required=True),
        Column(
            "id_number",
            "ID number",
            ("身份证号", "身份证号码", "证件号码", "公民身份号码"),
            parse_code,
            required=True,
        ),
        Column("phone", "Phone", ("联系电话", "手机号码", "电话"), parse_code),
        Column("arrived", "Arrival date", ("到达日期", "来恩日期", "返恩日期"), parse_date),
        Column("household", "Household size", ("同住人数", "人数"), parse_int, numeric=True),
    ),
)


class PeopleTable:
    """What the fake kind committed: {id_number: (values, job id)}."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[dict[str, Any], int]] = {}
        self.fail_on_batch: int | None = None  # raise inside this batch (1-based), once
        self.fail_after_rows = 0  # ... after writing this many of its rows
        self.batches = 0

    def commit_batch(self, actor, rows: list[ParsedRow], job) -> BatchResult:
        self.batches += 1
        pending: dict[str, tuple[dict[str, Any], int]] = {}
        result = BatchResult()
        for i, row in enumerate(rows):
            if self.batches == self.fail_on_batch and i == self.fail_after_rows:
                self.fail_on_batch = None
                raise RuntimeError("simulated crash in the middle of a batch")
            number = row.values["id_number"]
            if len(number) != 18:
                result.errors.append(
                    RowError(row.row_number, "ID number", number, "An ID number has 18 characters.")
                )
                continue
            known = pending.get(number) or self.rows.get(number)
            if known and known[1] == job.pk:
                result.duplicates += 1
                continue
            if known is None:
                result.created += 1
            elif known[0] == row.values:
                result.unchanged += 1
            else:
                result.updated += 1
            pending[number] = (dict(row.values), job.pk)
            audit_record(
                actor=actor,
                action="people.write",
                jpath=job.jpath,
                entity_type="people",
                entity_id=number,
            )
        self.rows.update(pending)
        return result


def people_kind(table: PeopleTable) -> ImportKind:
    return ImportKind(kind="people", schema=PEOPLE, commit_batch=table.commit_batch, label="People")


def register_xlsx(
    path: Path,
    rows: list[list[Any]],
    *,
    title: bool = True,
    total: bool = True,
    header: list[str] | None = None,
) -> Path:
    """A village tenant register: a merged title row, a second title line, the header, the rows,
    a blank row and a total row."""
    book = openpyxl.Workbook()
    sheet = book.active
    header = header or HEADER
    if title:
        sheet.append([TITLE])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append(["填报单位：锦岗村", None, None, "填报日期：2020年2月16日"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if total:
        sheet.append([])
        households = sum(r[5] for r in rows if len(r) > 5 and isinstance(r[5], int))
        sheet.append(["合计", None, None, None, None, households])
    book.save(path)
    return path


def ident(n: int) -> str:
    """An 18-character test ID number (the fake kind checks only the length)."""
    return f"44078519900101{n:04d}"


DAY = dt.date(2020, 2, 3)
