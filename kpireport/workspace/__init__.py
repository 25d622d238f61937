"""The library beneath the command line: ``Workspace(folder).merge()`` and the other jobs (see api.py)."""
from kpireport.runtime.disk import disk_full_line, is_disk_full
from kpireport.workspace.api import Workspace, run_demo
from kpireport.workspace.planning import check_plan, convert_plan

# a full disk met anywhere in a job: told by the command line in one line (runtime.disk)
__all__ = ["Workspace", "check_plan", "convert_plan", "disk_full_line", "is_disk_full", "run_demo"]
