from .intervals import OpenIntervalWindow, PlaceOpenInterval
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
from .settings import DirectorySettings

__all__ = [
    "Category",
    "DirectorySettings",
    "EquipmentTheme",
    "OpenIntervalWindow",
    "Place",
    "PlaceException",
    "PlaceKind",
    "PlaceLink",
    "PlaceOpenInterval",
    "PlacePhoto",
    "PlaceProposal",
    "PlaceStatus",
    "ProposalKind",
    "ProposalStatus",
    "SocialNetwork",
    "Wheelchair",
]
