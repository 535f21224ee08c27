"""Public read API of agendas and availability (``/api/v1/agendas``); calls selectors."""

from ninja import Router

router = Router(tags=["agendas"])
