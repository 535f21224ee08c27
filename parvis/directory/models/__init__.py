from .places import (
    Category,
    EquipmentTheme,
    Place,
    PlaceException,
    PlaceKind,
    PlaceLink,
    PlacePhoto,
    PlaceStatus,
    SocialNetwork,
    Wheelchair,
)
from .proposals import PlaceProposal, ProposalKind, ProposalStatus

__all__ = [
    "Category",
    "EquipmentTheme",
    "Place",
    "PlaceException",
    "PlaceKind",
    "PlaceLink",
    "PlacePhoto",
    "PlaceProposal",
    "PlaceStatus",
    "ProposalKind",
    "ProposalStatus",
    "SocialNetwork",
    "Wheelchair",
]
