"""Resource namespaces: thin, typed translations of keyword arguments into requests."""

from .geo import GeoResource
from .projects import ProjectsResource
from .site_audit import SiteAuditResource
from .tracking import TrackingResource

__all__ = ["GeoResource", "ProjectsResource", "SiteAuditResource", "TrackingResource"]
