"""What the office publishes: the texts that stay internal (設定の 公開しない項目) and whether 見込み values go out."""
from __future__ import annotations

from dataclasses import dataclass

from kpireport.model import Settings

NOTES = "備考"  # the plan's notes on KPIs and initiatives, and the departments' remarks on their values
REASONS = "未記入の理由"  # why a department left a value empty
CONTACTS = "連絡先"  # a department's 担当者・連絡先 and メール
OVERRIDE_WORKING = "手動評価の理由"  # why the office set a grade by hand (the grade itself is published)
ITEMS = (NOTES, REASONS, CONTACTS, OVERRIDE_WORKING)


@dataclass(frozen=True)
class Policy:
    internal: frozenset[str]
    provisional: bool  # 見込み values are published, labelled as such

    @classmethod
    def of(cls, settings: Settings, provisional: bool | None = None) -> Policy:
        """The settings' choice; ``provisional`` (asked for on the command line) overrides 見込み値の公開."""
        chosen = settings.publish_provisional if provisional is None else provisional
        return cls(frozenset(settings.publish_internal), chosen)

    @property
    def internal_items(self) -> tuple[str, ...]:
        """The items kept internal, in the settings' order."""
        return tuple(item for item in ITEMS if item in self.internal)

    def shows(self, item: str) -> bool:
        """Whether one of NOTES, REASONS, CONTACTS, OVERRIDE_WORKING is published."""
        return item not in self.internal
