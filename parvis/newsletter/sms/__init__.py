"""SMS: segment counting, backends, the monthly quota, quiet hours and STOP.

``outbox`` holds the messages "sent" by the locmem backend (tests), like ``mail.outbox``;
``scripted_results`` lets a test make the locmem backend answer a failure.
"""

import threading

outbox: list = []
scripted_results: list = []
outbox_lock = threading.Lock()
