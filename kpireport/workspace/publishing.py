"""Publishing: the period's progress as a static site with open data (output/公開), from the plan and the
history alone, with only what the office publishes (the plan's 公開 column, the settings' 公開しない項目 and
見込み値の公開)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from kpireport.errors import KpireportError
from kpireport.publish.assemble import build_site
from kpireport.publish.policy import Policy
from kpireport.publish.site import PACKAGED_TEMPLATES, WORKSPACE_TEMPLATES, render_site, write_site
from kpireport.workspace.folder import Folder
from kpireport.workspace.outcomes import PublishOutcome
from kpireport.workspace.reporting import period_data

SITE_FOLDER = "公開"


def publish_site(folder: Folder, period_text: str | None = None, provisional: bool | None = None,
                 today: dt.date | None = None) -> PublishOutcome:
    """Write the site; ``provisional`` True/False overrides the settings' 見込み値の公開."""
    data = period_data(folder, period_text)
    policy = Policy.of(data.plan.settings, provisional)
    site = build_site(data, policy, today or dt.date.today())
    own = folder.root / WORKSPACE_TEMPLATES
    files = render_site(site, own if own.is_dir() else None)
    target = folder.output / SITE_FOLDER
    write_site(files, target)
    return PublishOutcome(
        period=data.period, folder=target, pages=sum(name.endswith(".html") for name in files),
        nodes=len(site.nodes), kpis=len(site.kpis), data_files=sum(name.startswith("data/") for name in files),
        withheld_kpis=sorted(k.id for k in data.plan.kpis if not k.public),
        withheld_initiatives=sorted(i.id for i in data.plan.initiatives if not i.public),
        internal=policy.internal_items, provisional=policy.provisional,
        own_templates=own if own.is_dir() else None)


def copy_site_templates(folder: Folder) -> Path:
    """The packaged templates copied to the workspace (templates/公開サイト), for the city to restyle its site;
    an existing copy is left as it is."""
    target = folder.root / WORKSPACE_TEMPLATES
    if target.exists():
        raise KpireportError(f"{target} は既にあります。作り直すときは、このフォルダを別の名前に変えてから実行してください。")
    try:
        shutil.copytree(PACKAGED_TEMPLATES, target)
    except OSError as exc:
        raise KpireportError(f"{target} にコピーできません（{exc.strerror or exc}）。") from exc
    return target
