"""The procedures back office in the Wagtail admin (menu « Démarches »): the agents'
inbox, a request's page with its actions, and the editing of procedure definitions.

Two layers of permission, always both: the model permission says what kind of work a
staff group does (``procedures.view_request`` to read requests, ``change_request`` to
handle them, ``change_procedure`` to edit definitions); the row-level scope limits every
query to the services the agent works for (:mod:`.access`). An object outside the scope
answers 404, whatever its id.
"""
