# %% [markdown]
# # A fleet in a notebook
# Blocking calls with `realto_sync`, cell by cell (`# %%` cells open in Jupyter, VS Code and
# PyCharm). It works in a notebook's running event loop too: each client runs its own.

# %%
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from realto_sync import RealtoClient

client = RealtoClient()  # REALTO_CLIENT_ID / REALTO_CLIENT_SECRET (and REALTO_BASE_URL)
evs = list(client.entities.list(type="EV"))
print(f"{len(evs)} EVs")

# %%
# The latest state of charge of each EV (percent).
for ev in evs:
    reading = client.readings.last(ev.id)
    soc = reading.data.state_of_charge
    maker = ev.information.manufacturer if ev.information else "?"
    print(f"{ev.id}  {maker:<12} {soc.value if soc else '-':>6} %  at {reading.measured:%Y-%m-%d %H:%M}")

# %%
# Energy charged per day over the last week, whole fleet (kWh).
since = datetime.now(timezone.utc) - timedelta(days=7)
per_day: defaultdict[str, float] = defaultdict(float)
for ev in evs:
    for record in client.charge_sessions.list(ev.id, since):
        charge = record.data.charge
        if charge is not None and charge.total is not None and charge.total.total is not None:
            per_day[record.data.start.date().isoformat()] += charge.total.total
for day, kwh in sorted(per_day.items()):
    print(f"{day}  {kwh:8.1f} kWh")

# %%
client.close()
