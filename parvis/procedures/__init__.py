"""Online procedures: form definitions built by staff, requests, workflow, messages."""
