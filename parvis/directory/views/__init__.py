"""Public views of the directory: list, map, place page, poster and embeddable widget."""

from .poster import place_poster
from .public import directory_index, directory_map, map_json, place_detail
from .widgets import place_widget

__all__ = [
    "directory_index",
    "directory_map",
    "map_json",
    "place_detail",
    "place_poster",
    "place_widget",
]
