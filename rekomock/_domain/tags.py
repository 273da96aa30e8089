"""One tagging mechanism for every taggable Custom Labels resource
(docs/decisions.md, *Tags*).

Projects, versions and datasets are tagged by ARN through moto's TaggingService; the
backend only says whether an ARN names a live resource and drops its tags when it goes.
"""

from __future__ import annotations

from moto.utilities.tagging_service import TaggingService

from .exceptions import RekognitionError, ServiceQuotaExceededException


class Tags:
    __slots__ = ("_service",)

    def __init__(self) -> None:
        self._service = TaggingService()

    def check(self, arn: str | None, tags: dict[str, str], limit: int,
              error: type[RekognitionError] = ServiceQuotaExceededException) -> None:
        """Refuse tags that would take a resource past ``limit`` keys, with ``error``: the
        quota error the operation documents (CreateProject and CreateDataset document
        LimitExceededException, not ServiceQuotaExceededException)."""
        current = self._service.get_tag_dict_for_resource(arn) if arn else {}
        if len(set(current) | set(tags)) > limit:
            raise error(f"The resource cannot have more than {limit} tags.")

    def set(self, arn: str, tags: dict[str, str], limit: int) -> None:
        """Add or overwrite tags; refuse (changing nothing) past ``limit`` keys."""
        self.check(arn, tags, limit)
        if tags:
            self._service.tag_resource(arn, [{"Key": k, "Value": v} for k, v in tags.items()])

    def remove(self, arn: str, keys: list[str]) -> None:
        """Untag; absent keys are not an error (usual AWS tagging semantics)."""
        if keys and self._service.has_tags(arn):
            self._service.untag_resource_using_names(arn, keys)

    def get(self, arn: str) -> dict[str, str]:
        return dict(self._service.get_tag_dict_for_resource(arn))

    def drop(self, arn: str) -> None:
        self._service.delete_all_tags_for_resource(arn)
