"""Tables as pandas DataFrames with explicit dtypes (pandas imported only here, lazily)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.export.tables import Table, column_type

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_DTYPES = {"int": "int64", "float": "float64", "bool": "bool", "str": "string"}


def to_frame(table: Table) -> "pd.DataFrame":
    """The table as a DataFrame: columns in table order, ints, floats, bools and pandas strings."""
    import pandas as pd

    data = {c: pd.Series([row.get(c) for row in table.rows], dtype=_DTYPES[column_type(c)])
            for c in table.columns}
    return pd.DataFrame(data, columns=list(table.columns))
