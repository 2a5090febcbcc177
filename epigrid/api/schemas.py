"""Shapes every list shares: {"items": [...], "next": cursor or null}."""

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next: str | None


class Version(BaseModel):
    version: int
