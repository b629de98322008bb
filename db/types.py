"""Column aliases shared by the models, and a UTC datetime type."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from sqlalchemy import Dialect, Integer, String, Text
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as naive UTC; hands back aware UTC datetimes."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


RecordId = Annotated[str, mapped_column(String(36), primary_key=True)]
ShortText = Annotated[str | None, mapped_column(String(200))]
LongText = Annotated[str | None, mapped_column(Text)]
Count = Annotated[int | None, mapped_column(Integer)]
