"""``sr.projects``: list, get, create, update and delete projects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import _convert, params
from .._wire import ApiRequest
from ..errors import InvalidParameterError
from ..models import Project
from ..pricing import Usage
from ._base import MANAGEMENT, Resource


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError("name", value, "a non-empty project name")
    return value.strip()


class ProjectsResource(Resource):
    """Projects of the account."""

    async def list(self) -> list[Project]:
        """All projects with their IDs, names, domains and tools. 100 units."""
        response = await self._send(ApiRequest("GET", MANAGEMENT, "project_list"))
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
        """Create a project for the domain ``url``, optionally with keywords (with up to
        5 tags each) and up to 20 competitors. 100 units plus 100 per keyword.

        Never retried once it may have reached the server (it could create twice).
        """
        body: dict[str, Any] = {"project_name": _name(name), "url": params.domain_name("url", url)}
        kws = params.keywords(keywords) if keywords is not None else []
        if kws:
            body["keywords"] = [k.as_json() for k in kws]
        if competitors is not None:
            body["competitors"] = params.domains(competitors)
        request = ApiRequest(
            "POST", MANAGEMENT, "project_create", json=body, usage=Usage(keywords=len(kws))
        )
        return await self._get(request, Project)

    async def update(
        self,
        project_id: int | str,
        *,
        name: str | None = None,
        competitors: Iterable[str] | None = None,
        keywords: Iterable[str | params.Keyword] | None = None,
    ) -> Project:
        """Rename a project, replace its competitors, add keywords.
        100 units plus 100 per keyword added (reserved as if all are new)."""
        pid = params.project_id(project_id)
        body: dict[str, Any] = {"project_id": int(pid)}
        if name is not None:
            body["project_name"] = _name(name)
        if competitors is not None:
            body["competitors"] = params.domains(competitors)
        kws = params.keywords(keywords) if keywords is not None else []
        if kws:
            body["keywords"] = [k.as_json() for k in kws]
        if len(body) == 1:
            raise InvalidParameterError(
                "update", None, "at least one of name, competitors, keywords"
            )
        request = ApiRequest(
            "PUT", MANAGEMENT, "project_update", json=body, usage=Usage(keywords=len(kws))
        )
        return await self._get(request, Project)

    async def delete(self, project_id: int | str) -> None:
        """Delete a project and all its campaigns. 100 units."""
        pid = params.project_id(project_id)
        await self._send(
            ApiRequest("DELETE", f"{MANAGEMENT}/{pid}", "project_delete", expect="json_or_empty")
        )
