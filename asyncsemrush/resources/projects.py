"""``sr.projects``: list, get, create, update and delete projects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from .. import _convert, params
from .._wire import ApiRequest
from ..errors import InvalidParameterError, MalformedResponseError
from ..models import Project
from ._base import MANAGEMENT, Resource

ProjectFilter = Literal["own", "all", "shared", "corporate"]
PROJECT_FILTERS = ("own", "all", "shared", "corporate")
#: Characters the service refuses in a project name.
_NAME_FORBIDDEN = set("~`!#%'^&*=[]\\/{}|\":<>?")


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError("name", value, "a non-empty project name")
    bad = sorted(_NAME_FORBIDDEN.intersection(value))
    if bad:
        raise InvalidParameterError(
            "name", value, f"a project name without {' '.join(bad)} (the service refuses them)"
        )
    return value.strip()


class ProjectsResource(Resource):
    """Projects of the account."""

    async def list(self, *, filter: ProjectFilter = "own") -> list[Project]:
        """Projects with their IDs, names, domains and tools. ``filter``: ``"own"``
        (the default, as the service's), ``"all"``, ``"shared"`` or ``"corporate"``:
        shared and corporate projects are listed only on request. 100 units."""
        params.choice("filter", filter, PROJECT_FILTERS)
        q = {} if filter == "own" else {"filter": filter}
        response = await self._send(ApiRequest("GET", MANAGEMENT, "project_list", params=q))
        data = response.data
        if isinstance(data, dict) and "project_id" in data:
            data = [data]  # one project may come as a bare object
        return _convert.rows(data, Project, "$")

    async def get(self, project_id: int | str) -> Project:
        """One project. 100 units."""
        pid = params.project_id(project_id)
        return await self._get(ApiRequest("GET", f"{MANAGEMENT}/{pid}", "project_get"), Project)

    async def create(
        self,
        name: str,
        url: str,
        *,
        keywords: Iterable[str | params.Keyword] | None = None,
        competitors: Iterable[str] | None = None,
    ) -> Project:
        """Create a project for the domain ``url``. 100 units.

        ``keywords`` (with up to 5 tags each) and ``competitors`` (up to 20) are added
        afterwards, by the Position Tracking calls the service has for them (today's
        create takes a name and a domain only), each priced by its own row: 100 units per
        keyword added, 100 for the competitors. All input is checked before the project
        is created. Never retried once it may have reached the server (it could create
        twice).
        """
        body = {"project_name": _name(name), "url": params.domain_name("url", url)}
        kws = params.keywords(keywords) if keywords is not None else []
        rivals = params.domains(competitors) if competitors is not None else []
        request = ApiRequest("POST", MANAGEMENT, "project_create", json=body)
        project = await self._write(request, Project)
        await self._follow_up(project, kws, rivals)
        return project

    async def update(
        self,
        project_id: int | str,
        *,
        name: str,
        competitors: Iterable[str] | None = None,
        keywords: Iterable[str | params.Keyword] | None = None,
    ) -> Project:
        """Rename a project (100 units); ``competitors`` and ``keywords`` are then added
        by their own calls, as for :meth:`create` (100 per keyword added, 100 for the
        competitors). All input is checked before anything is sent."""
        pid = params.project_id(project_id)
        body = {"project_id": int(pid), "project_name": _name(name)}
        kws = params.keywords(keywords) if keywords is not None else []
        rivals = params.domains(competitors) if competitors is not None else []
        request = ApiRequest("PUT", MANAGEMENT, "project_update", json=body)
        project = await self._write(request, Project)
        await self._follow_up(project, kws, rivals, fallback_id=pid)
        return project

    async def _follow_up(
        self,
        project: Project,
        kws: Sequence[params.Keyword],
        rivals: Sequence[str],
        fallback_id: str | None = None,
    ) -> None:
        if not kws and not rivals:
            return
        target = project.project_id if project.project_id is not None else fallback_id
        if target is None:  # the project exists and was paid for: say what was not done
            raise MalformedResponseError(
                "the project was created but its answer carried no project_id, so its "
                "keywords and competitors were not added"
            )
        tracking = self._client.tracking(target)
        if kws:
            await tracking.add_keywords(kws)
        if rivals:
            await tracking.add_competitors(rivals)

    async def delete(self, project_id: int | str) -> None:
        """Delete a project and all its campaigns. 100 units."""
        pid = params.project_id(project_id)
        await self._send(
            ApiRequest("DELETE", f"{MANAGEMENT}/{pid}", "project_delete", expect="json_or_empty")
        )
