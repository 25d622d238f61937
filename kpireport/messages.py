"""Every Japanese finding message, by stable code. One place, so wording stays consistent.

Each entry: code -> (severity, title, template). Templates use str.format fields.
"""
from __future__ import annotations

from kpireport.model import Finding

CATALOGUE: dict[str, tuple[str, str, str]] = {
    # --- reading the plan file ---------------------------------------------------------------
    "plan-file-missing": ("error", "計画ファイルがない",
                          "計画ファイルが見つかりません。`kpireport init` で作業フォルダを作るか、ファイルを指定してください。"),
    "plan-file-unreadable": ("error", "計画ファイルを読めない",
                             "計画ファイルを読み込めませんでした（{detail}）。Excelで開けるか確認し、保存し直してください。"),
    "plan-file-type": ("error", "対応していない形式",
                       "計画ファイルは .xlsx、.json、.yaml のいずれかにしてください（{suffix} は読めません）。"),
    "plan-sheet-missing": ("error", "シートがない",
                           "シート「{sheet}」がありません。シート名を「{sheet}」に戻すか、シートを追加してください。"),
    "plan-column-missing": ("error", "列がない",
                            "シート「{sheet}」に必須の列「{column}」がありません。1行目に見出し「{column}」の列を追加してください。"),
    "plan-column-unknown": ("warning", "知らない列",
                            "列「{column}」は計画体系の項目ではないため読み込みません。不要なら削除し、必要なら見出しを確認してください。"),
    "plan-setting-unknown": ("warning", "知らない設定項目",
                             "設定項目「{column}」は使われません。項目名を確認してください。"),
    # --- schema --------------------------------------------------------------------------------
    "plan-required": ("error", "必須項目が空欄", "「{field}」が空欄です。{hint}"),
    "plan-type": ("error", "値の種類が違う", "「{field}」の値「{value}」は{expected}として読めません。"),
    "plan-enum": ("error", "選択肢にない値", "「{field}」は {choices} のいずれかを入力してください（入力値「{value}」）。"),
    "plan-format": ("error", "書式が違う", "「{field}」の値「{value}」は使えません。{hint}"),
    "plan-range": ("error", "範囲外の値", "「{field}」の値「{value}」は範囲外です。{hint}"),
    "plan-too-few": ("error", "行が足りない", "「{field}」には少なくとも{count}件の入力が必要です。"),
    "plan-unknown-key": ("error", "知らない項目", "項目「{name}」は計画体系の項目ではありません。綴りを確認してください。"),
    # --- cross-checks --------------------------------------------------------------------------
    "plan-duplicate-id": ("error", "IDの重複",
                          "「{field}」の「{value}」は{first}でも使われています。IDは重複しないように付け直してください。"),
    "plan-unknown-plan": ("error", "存在しない計画",
                          "計画ID「{value}」はシート「計画」にありません。計画IDを確認してください。"),
    "plan-unknown-node": ("error", "存在しない体系",
                          "「{field}」の「{value}」はシート「体系」にありません。IDを確認してください。"),
    "plan-unknown-kpi": ("error", "存在しない指標",
                         "指標ID「{value}」はシート「指標」にありません。指標IDを確認してください。"),
    "plan-repost-unknown": ("error", "再掲先がない",
                            "再掲先「{value}」はシート「体系」にありません。再掲先のIDを確認するか、削除してください。"),
    "plan-repost-self": ("warning", "再掲先が掲載先と同じ",
                         "再掲先「{value}」は掲載先と同じです。再掲先から削除してください。"),
    "plan-unknown-department": ("error", "存在しない担当課",
                                "担当課「{value}」はシート「担当課」にありません。課名の表記を合わせるか、担当課を追加してください。"),
    "plan-parent-other-plan": ("error", "上位が別の計画",
                               "上位ID「{value}」は別の計画（{other}）の体系です。同じ計画の体系を指定してください。"),
    "plan-parent-cycle": ("error", "上位の循環", "上位IDをたどると「{value}」自身に戻ります。上位IDを確認してください。"),
    "plan-too-deep": ("error", "階層が深すぎる",
                      "この体系は第{depth}階層ですが、計画「{plan}」の階層名は{levels}階層分しかありません。階層名を追加するか、上位IDを確認してください。"),
    "plan-empty-plan": ("warning", "体系のない計画", "計画「{value}」には体系が1件もありません。"),
    "plan-value-unreadable": ("error", "数値として読めない",
                              "「{field}」の「{value}」を数値として読めません。「22.7%」「38,039人」「△244人」のように数値と単位で入力してください。"),
    "plan-value-note": ("warning", "注記つきの値",
                        "「{field}」の「{value}」のうち「{note}」は読み取れない注記として残しました。内容を確認してください。"),
    "plan-unit-mismatch": ("error", "単位が違う",
                           "「{field}」の「{value}」の単位「{unit}」が指標の単位「{expected}」と合いません。単位をそろえてください。"),
    "plan-maintain-no-baseline": ("error", "維持目標に基準値がない",
                                  "目標が「維持」ですが基準値がありません。維持する水準を基準値に入力してください。"),
    "plan-target-type-conflict": ("error", "目標種別と目標値が食い違う",
                                  "目標種別は「{given}」ですが、目標値「{value}」は「{derived}」の書き方です。どちらかに合わせてください。"),
    "plan-year-unreadable": ("error", "年度として読めない",
                             "「{field}」の「{value}」を年度として読めません。「令和5年度」「R5」「H26」「2023」のように入力してください。"),
    "plan-target-before-baseline": ("error", "目標年度が基準年度より前",
                                    "目標年度（{target}）が基準年度（{baseline}）より前です。年度を確認してください。"),
    "plan-end-before-start": ("error", "終了年度が開始年度より前",
                              "終了年度（{end}）が開始年度（{start}）より前です。年度を確認してください。"),
    "plan-direction-conflict": ("warning", "方向と目標が食い違う",
                                "方向は「{direction}」ですが、目標値（{target}）は基準値（{baseline}）より{side}です。方向か目標値を確認してください。"),
    "plan-target-equals-baseline": ("warning", "目標値が基準値と同じ",
                                    "目標値が基準値と同じです。現状を保つ目標なら目標種別を「維持」にしてください。"),
    "plan-interim-outside": ("warning", "中間目標の年度が期間外",
                             "中間目標の年度（{year}）が基準年度から目標年度までの間にありません。"),
    "plan-interim-duplicate": ("error", "中間目標の重複", "指標「{kpi}」の{year}の中間目標が2回入力されています。"),
    "plan-grade-threshold": ("error", "しきい値がない",
                             "判定「{rule}」にはしきい値(%)が必要です。例: 最終目標達成なら 100、ペースなら 80。"),
    "plan-grade-missing-rule": ("error", "評価区分が足りない",
                                "評価区分に判定「{rule}」の区分がありません。追加してください。"),
    "plan-actual-after-report": ("warning", "実績年度が報告年度より後",
                                 "実績年度（{actual}）が報告年度（{report}）より後になっています。"),
}


def finding(code: str, *, file: str = "", sheet: str = "", cell: str = "", value: object = "",
            severity: str | None = None, **fields: object) -> Finding:
    """Build a Finding from the catalogue; ``fields`` fill the message template."""
    default_severity, _title, template = CATALOGUE[code]
    text = "" if value is None else str(value)
    return Finding(code=code, severity=severity or default_severity,  # type: ignore[arg-type]
                   message=template.format(value=text, sheet=sheet, file=file, **fields), file=file, sheet=sheet, cell=cell,
                   value=text)


def title(code: str) -> str:
    return CATALOGUE[code][1]
