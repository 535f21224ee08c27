"""Reads of bookings: availability computed from the hours engine, desks' absences,
public holidays, closures, booking delays and existing bookings; sessions' places;
calendars for the resident pages; the agents' planning.

Contract:

* Times are aware; slots are UTC instants, local days are Europe/Paris days. Grids step
  in real elapsed time, so daylight-saving days have one hour less (March) or one more
  (October, the repeated hour offered twice with its own offset).
* Public holidays close a desk or resource when its value says so (``PH off``).
* "Occupying" bookings (:data:`parvis.bookings.models.OCCUPYING`) take their desk or
  resource for ``[start, end)``; selectors only read: the engine re-checks under lock.
* Every selector runs a bounded number of queries, whatever the window.
* ``*_problem`` functions return a :class:`Problem`: a translated ``str`` with a
  ``code`` and an ``error()`` giving the domain exception to raise.
"""

from ._common import FREE_RANGE_STEP_MINUTES, Problem  # noqa: F401
from .appointments import (  # noqa: F401
    GridPoint,
    Slot,
    appointment_grid,
    appointment_slot_problem,
    appointment_slots,
)
from .calendar import (  # noqa: F401
    MAX_CALENDAR_DAYS,
    CalendarDay,
    DayState,
    agenda_calendar,
    calendar_month,
    calendar_week,
    month_window,
    week_window,
)
from .events import (  # noqa: F401
    CategoryAvailability,
    SessionAvailability,
    SessionState,
    session_availability,
    session_list,
    sessions_queryset,
)
from .planning import (  # noqa: F401
    PlanningBreak,
    PlanningColumn,
    PlanningDay,
    PlanningEntry,
    planning,
)
from .resources import (  # noqa: F401
    ResourcePoint,
    resource_grid,
    resource_hours,
    resource_range_problem,
    resource_slots,
)
