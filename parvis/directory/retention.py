"""RGPD: the directory holds the private contact of each entry and residents' proposals.

Proposals that were decided more than a year ago are deleted; a person's proposals are
exported and erased with their account.
"""
