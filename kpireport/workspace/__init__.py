"""The library beneath the command line: ``Workspace(folder).merge()`` and the other jobs (see api.py)."""
from kpireport.workspace.api import Workspace, run_demo
from kpireport.workspace.planning import check_plan, convert_plan

__all__ = ["Workspace", "check_plan", "convert_plan", "run_demo"]
