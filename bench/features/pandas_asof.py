"""pandas merge_asof over the same data as CSV: read, join two views point-in-time, restore entity order.
Prints one JSON line: seconds, rows, sum/count of a0. Writing the result is NOT timed (it flatters pandas)."""
import json
import sys
import time

import pandas as pd

entities, view_a, view_b = sys.argv[1:4]
t0 = time.perf_counter()
e = pd.read_csv(entities, parse_dates=["event_timestamp"])
e["__pos"] = range(len(e))
e = e.sort_values("event_timestamp", kind="stable")
for path in (view_a, view_b):
    f = pd.read_csv(path, parse_dates=["event_timestamp"]).sort_values("event_timestamp", kind="stable")
    e = pd.merge_asof(e, f, on="event_timestamp", by="driver_id", direction="backward")
e = e.sort_values("__pos").drop(columns="__pos")
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rows": len(e), "sumA0": float(e["a0"].sum()), "countA0": int(e["a0"].count())}))
