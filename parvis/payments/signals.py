"""Signals sent to the payable object's app (``sender`` is the payable's class).

``payment_paid(sender, payment, payable)`` is sent exactly once per payment, inside the
transaction that marks it paid: a receiver's writes commit or roll back with it.
``payment_released(sender, payment, payable, status)`` is sent once when a payment ends
without being paid (failed, cancelled, expired): the payable releases what it held.
"""

from django.dispatch import Signal

payment_paid = Signal()
payment_released = Signal()
