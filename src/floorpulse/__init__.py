"""FloorPulse: worker-productivity analytics for factories."""

from importlib.metadata import version

__version__ = version("floorpulse")
