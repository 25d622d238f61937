"""What a submission's check needs to know of the forms its workspace issued (history.issued keeps the
register): the signatures issued, for which departments and periods, and where unsigned version-1 forms
were issued."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IssuedForms:
    """What the register holds, as a submission's check needs it (picklable: worker processes get it)."""

    signatures: frozenset[str]
    signed_for: frozenset[tuple[str, str]]  # (department, period) the register has signed forms of
    legacy: frozenset[tuple[str, str]]  # (department, period) this workspace issued version-1 forms for
    last_issued_at: str = ""  # when the newest signed form in the register was issued (ISO time)

    def knows(self, department: str, period: str, signature: str) -> bool:
        """A signed form this workspace issued: in the register, or (its signature already checked against the
        key) for a department and period the register has no record of: made before the register began."""
        return signature in self.signatures or (department, period) not in self.signed_for

    def legacy_in(self, period: str) -> bool:
        """This workspace issued unsigned version-1 forms for ``period`` (its history accepted some then)."""
        return any(issued == period for _, issued in self.legacy)

    def made_after_register(self, made_at: str) -> bool:
        """A form made after the newest one the register knows: the register (the history) is older than the
        form, as when the history was put back from a backup taken before the form was issued."""
        return bool(self.last_issued_at) and made_at > self.last_issued_at

    @property
    def issued_legacy(self) -> bool:
        """This workspace issued unsigned version-1 forms (its history accepted some)."""
        return bool(self.legacy)


NOTHING_ISSUED = IssuedForms(frozenset(), frozenset(), frozenset())
