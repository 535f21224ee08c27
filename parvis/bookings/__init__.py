"""GRC RÉSA: one booking engine for appointments, resources and events with capacity.

See :mod:`parvis.bookings.services` for the concurrency design (capacity enforced by the
database, holds, waiting lists, payment)."""
