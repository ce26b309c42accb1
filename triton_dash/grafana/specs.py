"""What push and the provisioning files create in Grafana: the Prometheus datasource and the folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import validate
from ..profile import DEFAULT_DATASOURCE_UID

__all__ = ["DatasourceSpec", "FolderSpec"]


@dataclass(frozen=True)
class DatasourceSpec:
    """The Prometheus datasource every dashboard's ``datasource`` variable selects."""

    uid: str = DEFAULT_DATASOURCE_UID
    name: str = "Prometheus"
    url: str = "http://prometheus:9090"
    scrape_interval: str = "15s"

    def __post_init__(self) -> None:
        validate.grafana_uid(self.uid, "datasource uid")
        validate.text(self.name, "datasource name", max_length=190)
        validate.url(self.url, "Prometheus URL")
        validate.duration(self.scrape_interval, "scrape interval")

    def payload(self) -> dict[str, Any]:
        return {"uid": self.uid, "name": self.name, "type": "prometheus", "access": "proxy", "url": self.url,
                "jsonData": {"httpMethod": "POST", "timeInterval": self.scrape_interval}}


@dataclass(frozen=True)
class FolderSpec:
    uid: str = "triton"
    title: str = "Triton"

    def __post_init__(self) -> None:
        validate.grafana_uid(self.uid, "folder uid")
        validate.text(self.title, "folder title", max_length=189)
