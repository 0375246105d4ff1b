#!/usr/bin/env python3
"""Reads our Kolada v3-compatible API with the unchanged Kolada client `koladapy` (PyPI) and
compares what it gets with the expectations (what our JSON API says).

Usage: kolada_client.py BASE_URL EXPECTATIONS.json

BASE_URL is the server's root, e.g. http://127.0.0.1:18181 (the client is pointed at
BASE_URL/kolada/v3/). The expectations file holds:

    {
      "kpis": {"BBG-H01": {"title": "...", "is_divided_by_gender": true, "publ_period": "2023"}},
      "municipalities": {"0780": "Växjö kommun"},
      "data": [
        {"kpi_id": "BBG-H01", "municipality_id": ["0780"], "years": [2022, 2023],
         "rows": [{"kpi": "BBG-H01", "municipality": "0780", "period": 2023, "gender": "T",
                   "value": 61.5}]}
      ]
    }

KPI fields are compared one by one (only those named); data rows are compared as a set. Exits 1
with a message on the first mismatch; prints a one-line summary on success.
"""

import json
import math
import sys

from koladapy import KoladaAPI


def fail(message):
    print(f"kolada_client: MISMATCH: {message}", file=sys.stderr)
    sys.exit(1)


def row_key(kpi, municipality, period, gender, value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = None
    else:
        value = round(float(value), 6)
    return (str(kpi), str(municipality), int(period), str(gender), value)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    base, path = sys.argv[1].rstrip("/"), sys.argv[2]
    with open(path, encoding="utf-8") as f:
        expected = json.load(f)
    api = KoladaAPI(base_url=base + "/kolada/v3/")

    kpis = expected.get("kpis", {})
    for code, fields in kpis.items():
        kpi = api.get_kpi(code)
        if kpi.get("id") != code:
            fail(f"get_kpi({code!r}) returned id {kpi.get('id')!r}")
        for name, value in fields.items():
            if name not in kpi:
                fail(f"KPI {code}: field {name} is missing")
            if kpi[name] != value:
                fail(f"KPI {code}: {name} is {kpi[name]!r}, expected {value!r}")

    municipalities = expected.get("municipalities", {})
    for mid, title in municipalities.items():
        got = api.get_municipality(mid)
        if got.get("id") != mid or got.get("title") != title:
            fail(f"get_municipality({mid!r}) returned {got!r}, expected title {title!r}")

    rows_checked = 0
    for query in expected.get("data", []):
        df = api.get_data_as_dataframe(
            kpi_id=query["kpi_id"],
            municipality_id=query.get("municipality_id"),
            years=query.get("years"),
        )
        want = sorted(
            row_key(r["kpi"], r["municipality"], r["period"], r["gender"], r.get("value"))
            for r in query["rows"]
        )
        if df.empty:
            got = []
        else:
            for column in ("kpi", "municipality", "period", "gender", "value"):
                if column not in df.columns:
                    fail(f"data {query['kpi_id']}: the data frame lacks column {column}: {list(df.columns)}")
            got = sorted(
                row_key(r.kpi, r.municipality, r.period, r.gender, r.value)
                for r in df.itertuples(index=False)
            )
        if got != want:
            fail(f"data for {query['kpi_id']} {query.get('municipality_id')} {query.get('years')}:\n"
                 f"  got      {got}\n  expected {want}")
        rows_checked += len(got)

    print(
        f"kolada_client: koladapy read {len(kpis)} KPI(s), {len(municipalities)} municipality(ies) "
        f"and {rows_checked} value(s) in {len(expected.get('data', []))} data quer(ies) "
        f"from {base}/kolada/v3/: all as expected"
    )


if __name__ == "__main__":
    main()
