"""Public views of procedures: the catalogue and the forms (:mod:`.forms`), the resident's
requests (:mod:`.requests`)."""
