"""Every Japanese finding message, by stable code. One place, so wording stays consistent.

Each entry: code -> (severity, title, template). Templates use str.format fields.
"""
from __future__ import annotations

from kpireport.model import Finding

OVERRIDE_STALE = "override-value-changed"  # a grade set by hand on a value that has changed since
ANNUAL_LATE = "form-annual-late"  # last year's annual form met in a monthly collection: left for the annual one
INBOX_DUPLICATE = "inbox-duplicate"  # several files of one department and period: told apart from the shared entries

CATALOGUE: dict[str, tuple[str, str, str]] = {
    # --- reading the plan file ---------------------------------------------------------------
    "plan-file-missing": ("error", "計画ファイルがない",
                          "計画ファイルが見つかりません。「kpireport init」で作業フォルダを作るか、ファイルを指定してください。"),
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
    "plan-sheet-unknown": ("warning", "計画体系にないシート",
                           "シート「{value}」は計画体系のシートではないため読み込みません。{hint}"),
    "plan-merged-cells": ("error", "結合されたセル",
                          "セル {value} が結合されています。結合したセルは左上のセルの値だけが読まれ、ほかの{what}は"
                          "空欄として扱われます。結合を解除し、{each}に入力してください。"),
    "plan-merged-cells-empty": ("warning", "結合されたセル（空の行）",
                                "セル {value} が結合されています（入力のない行）。行を追加して入力すると左上のセルの値だけが"
                                "読まれるため、結合を解除してください。"),
    # --- schema --------------------------------------------------------------------------------
    "plan-required": ("error", "必須項目が空欄", "「{field}」が空欄です。{hint}"),
    "plan-type": ("error", "値の種類が違う", "「{field}」の値「{value}」は{expected}として読めません。"),
    "plan-enum": ("error", "選択肢にない値", "「{field}」は {choices} のいずれかを入力してください（入力値「{value}」）。"),
    "plan-format": ("error", "書式が違う", "「{field}」の値「{value}」は使えません。{hint}"),
    "plan-range": ("error", "範囲外の値", "「{field}」の値「{value}」は範囲外です。{hint}"),
    "plan-too-few": ("error", "行が足りない",
                     "シート「{field}」には少なくとも{count}行の入力が必要です。2行目から入力してください。"),
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
    "plan-reporting-single": ("warning", "担当課が1課の報告方法",
                              "報告方法「{value}」は担当課が複数のときに使います。担当課が1課なので、その課が報告します。"),
    "plan-combine-without-parts": ("warning", "合算でない指標の合算の方法",
                                   "合算の方法「{value}」は報告方法が「合算」のときに使います。報告方法を「合算」にするか、合算の方法を空欄にしてください。"),
    "plan-combine-rate": ("warning", "割合の合計",
                          "単位が%の指標を合計します。各課の割合を足してよいか確認し、よくなければ合算の方法を「平均」などにしてください。"),
    "plan-department-name-file": ("error", "ファイル名に使えない文字の課名",
                                  "課名「{value}」に、Windowsのファイル名に使えない文字（{chars}）があります。課名は様式の"
                                  "ファイル名になります。全角の文字（／：＊？など）に置き換えてください。"),
    "plan-former-name-current": ("error", "旧課名が今の課名",
                                 "旧課名「{value}」は、今もシート「担当課」にある課名です。機構改革の前の課名だけを書いてください。"),
    "plan-former-name-date": ("error", "旧課名の日付が読めない",
                              "旧課名「{value}」の日付「{date}」が読めません。「観光課（2024-04-01）」のように、課名が変わった日を書いてください。"),
    "plan-unknown-department": ("error", "存在しない担当課",
                                "担当課「{value}」はシート「担当課」にありません。課名の表記を合わせるか、担当課を追加してください。"),
    "plan-parent-other-plan": ("error", "上位が別の計画",
                               "上位ID「{value}」は別の計画（{other}）の体系です。同じ計画の体系を指定してください。"),
    "plan-parent-cycle": ("error", "上位の循環", "上位IDをたどると「{value}」自身に戻ります。上位IDを確認してください。"),
    "plan-too-deep": ("error", "階層が深すぎる",
                      "この体系は第{depth}階層ですが、計画「{plan}」の階層名は{levels}階層分しかありません。階層名を追加するか、上位IDを確認してください。"),
    "plan-empty-plan": ("warning", "体系のない計画", "計画「{value}」には体系が1件もありません。"),
    "plan-repost-row": ("warning", "【再掲】の行",
                        "{field}が【再掲】で始まっています。この行は別の{item}として数えられ、担当課は同じものを2回報告する"
                        "ことになります。{advice}"),
    "plan-duplicate-row": ("warning", "同じ内容の指標",
                           "指標名・単位・目標値・担当課が{first}の指標「{original}」と同じです。同じ指標を別の施策にも載せるなら、"
                           "「{original}」の再掲先IDに「{node}」を書き、この行は削除してください（別々の指標なら、指標名で区別してください）。"),
    # --- the plan against the workspace's history (plan check in a workspace) -----------------
    "plan-history-id-gone": ("warning", "履歴に値があるIDが計画にない",
                             "{item}ID「{value}」は計画にありませんが、{period}に受理した{what}（{shown}、{department}）が"
                             "履歴にあります。このままでは台帳・報告書に載りません。IDを変えたのなら、元のID「{value}」に戻すか、"
                             "新しい様式（kpireport forms）で{department}に出し直してもらってください{candidates}。{ending}"),
    "plan-history-owner-gone": ("warning", "担当課を変えた行に前の課の値がある",
                                "{item}「{name}」の担当課は{owners}ですが、{period}に{department}から受理した{what}（{shown}）が"
                                "履歴にあります。担当課が変わったため、この値は台帳・報告書に使いません。{owners}に新しい様式"
                                "（kpireport forms）で報告してもらうか、担当課の変更が誤りなら元に戻してください。"),
    "plan-history-lead-changed": ("warning", "主担当を変えた行に前の課の値がある",
                                  "{item}「{name}」の主担当（担当課の最初の課）は{lead}ですが、{period}に受理した{what}は"
                                  "{department}のもの（{shown}）で、{lead}のものはありません。報告方法が{reporting}のため、"
                                  "{department}の{what}は使わず、{consequence}。主担当を変えたのなら{lead}に新しい様式"
                                  "（kpireport forms）で報告してもらい、変えるつもりがなければ担当課の順を元に戻してください。"),
    "plan-history-department-gone": ("warning", "履歴に提出がある課が計画にない",
                                     "担当課「{value}」の提出（{period}、{file_name}）が履歴にありますが、この課はシート「担当課」に"
                                     "ありません。このままでは受理した値が台帳・報告書に載らず、この課の様式は差し戻されます。"
                                     "課名を変えたのなら、新しい課の行の「旧課名」に「{value}（変わった日）」と書いてください{now}。"),
    "plan-history-unread": ("warning", "履歴と照合できない",
                            "作業フォルダの履歴を読めないため、計画体系と履歴（受理した値）の照合はしていません（{detail}）。"),
    "plan-value-unreadable": ("error", "数値として読めない",
                              "「{field}」の「{value}」を数値として読めません。「22.7%」「38,039人」「△244人」のように数値と単位で入力してください。"),
    "plan-value-note": ("warning", "注記つきの値",
                        "「{field}」の「{value}」のうち「{note}」は読み取れない注記として残しました。内容を確認してください。"),
    "plan-unit-mismatch": ("error", "単位が違う",
                           "「{field}」の「{value}」の単位「{unit}」が指標の単位「{expected}」と合いません。単位をそろえてください。"),
    "plan-period-unreadable": ("error", "報告期間が読めない",
                               "報告期間「{value}」を読めません。「令和7年9月」「2025-09」（月次）や「令和6年度」（年度）のように入力してください。"),
    "plan-gross-aggregation": ("error", "のべの集計方法が空欄",
                               "目標値「{value}」は「のべ」の値ですが、集計方法が空欄です。計画期間の合計なら「累計」、"
                               "1年間の延べ数なら「単年度」を「集計方法」に入力してください。"),
    "plan-replaces-unknown": ("error", "差し替え前の指標がない",
                              "差し替え前の指標ID「{value}」はシート「指標」にありません。指標IDを確認してください。"),
    "plan-replaced-open": ("warning", "差し替えた指標に終了年度がない",
                           "指標「{value}」は「{successor}」に差し替えられていますが、適用終了年度が空欄です。"
                           "差し替え前の最後の年度を「適用終了年度」に入力してください（空欄のままでは両方を報告します）。"),
    "plan-valid-range": ("error", "適用年度の順序が逆",
                         "適用終了年度「{value}」が適用開始年度より前です。年度を確認してください。"),
    "plan-group-member": ("error", "まとまりの構成課がない",
                          "「{group}」の構成課「{value}」はシート「担当課」にありません。課名の表記を合わせるか、担当課を追加してください。"),
    "plan-maintain-no-baseline": ("error", "維持目標に基準値がない",
                                  "目標が「維持」ですが基準値がありません。維持する水準を基準値に入力してください。"),
    "plan-target-type-conflict": ("error", "目標種別と目標値が食い違う",
                                  "目標種別は「{given}」ですが、目標値「{value}」は「{derived}」の書き方です。どちらかに合わせてください。"),
    "plan-year-unreadable": ("error", "年度として読めない",
                             "「{field}」の「{value}」を年度として読めません。「令和5年度」「R5」「H26」「2023」のように入力してください。"),
    "plan-target-before-baseline": ("error", "目標年度が基準年度より前",
                                    "目標年度（{target}）が基準年度（{baseline}）より前です。年度を確認してください。"),
    "plan-target-year-outside": ("error", "目標年度が計画期間の外",
                                 "目標年度（{value}）が計画「{plan}」の期間（{start}〜{end}）の外です。年度を確認してください"
                                 "（2023 を 2033 と打つなど）。"),
    "plan-baseline-year-outside": ("error", "基準年度が計画期間より後か前すぎる",
                                   "基準年度（{value}）が計画「{plan}」の期間（{start}〜{end}）より後か、始まりより"
                                   "{before}年以上前です。基準年度は策定時の直近の年度です。年度を確認してください。"),
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
    "plan-grade-gap": ("error", "評価区分に当てはまらない指標がある",
                       "{kpi}は、どの評価区分にも当てはまりません。「上記以外」の区分を最後に加えるか、しきい値を見直してください。"),
    "plan-grade-no-general-not-evaluable": ("warning", "理由のない評価不能の区分がない",
                                            "評価不能の区分がすべて未記入の理由（{reasons}）で選ぶものです。実績値がほかの理由でない指標"
                                            "（未提出、集計中など）は、どの区分にも当たらないため「{general} 評価不能（その他）」として別に数えます。"
                                            "この区分の記号や名前を決めるときは、未記入の理由を空けた評価不能の区分を評価区分に加えてください。"),
    "plan-grade-unreachable": ("warning", "付くことのない評価区分",
                               "評価区分「{value}」は、上の区分（{earlier}）が先に当てはまるため、どの指標にも付きません。順番かしきい値を見直してください。"),
    "plan-direction-target": ("warning", "方向と方向のみの目標が食い違う",
                              "目標値「{value}」は{derived}を目指す目標ですが、方向は「{direction}」です。目標値に合わせて{derived}として評価します。"),
    "plan-on-track-unknown": ("error", "順調とする評価が評価区分にない",
                              "順調とする評価「{value}」は評価区分の記号にありません。評価区分の記号を入力してください。"),
    "plan-actual-after-report": ("warning", "実績年度が報告年度より後",
                                 "実績年度（{actual}）が報告年度（{report}）より後になっています。"),
    # --- forms: recognising the file --------------------------------------------------------------
    "form-not-form": ("error", "様式ではない",
                      "kpireport で配布した様式ではありません（識別用の情報がありません）。配布した様式に記入して提出してください。"),
    "form-version-unknown": ("error", "様式の版が不明",
                             "この様式の版（{value}）は読めません。最新の様式に記入し直してください。"),
    "form-other-plan": ("error", "別の計画の様式",
                        "この様式は「{value}」の計画のものです。{city}の様式に記入し直してください。"),
    "form-unknown-department": ("error", "知らない担当課",
                                "様式の担当課「{value}」は計画体系にありません。{hint}"),
    "form-wrong-period": ("error", "報告期間が違う",
                          "この様式は{form_period}のものです。{expected_period}の様式に記入し直してください{why}。"),
    "form-annual-late": ("error", "実績報告の様式",
                         "この様式は{form_period}の実績報告の様式で、{expected_period}の様式ではありません。"
                         "{form_period}の実績としては、実績の集計（kpireport merge --period {value}）で受け付けるので、"
                         "このファイルはそのままでかまいません。{expected_period}の報告は{expected_period}の様式で提出してください。"),
    "form-signature-invalid": ("error", "識別情報が正しくない様式",
                               "この様式の識別情報（担当課「{value}」・報告期間など）は、この作業フォルダの鍵で作った様式のものと一致しません。"
                               "別の作業フォルダの様式か識別情報が書き換えられた様式のほか、履歴を作り直したために作業フォルダの鍵が変わった可能性があります。"
                               "企画担当課は、履歴（履歴.sqlite3）を作り直していないか確かめ、作り直していれば「kpireport history backup」で取った"
                               "バックアップを戻してください。そうでなければ、配った自課の様式に記入して提出してもらってください。"),
    "form-not-issued": ("error", "発行していない様式",
                        "この様式（担当課「{value}」・{period}）は、この作業フォルダが発行した記録のない様式です。"
                        "企画担当課が配った自課の様式に記入して提出してください。"),
    "form-not-issued-history-older": ("error", "履歴より新しい様式",
                                      "この様式（担当課「{value}」・{period}、{made}作成）は、この作業フォルダの鍵で作られていますが、"
                                      "この作業フォルダが発行した記録のない様式です。履歴にある発行の記録は{last}までです。企画担当課は、"
                                      "履歴（履歴.sqlite3）をこの様式を作る前の控えから戻していないか確かめてください。戻していれば、その後に"
                                      "配った様式は記録にないため、「kpireport forms --dept {value}」で様式を作り直して配り直してください。"
                                      "戻していなければ、この様式は企画担当課が配った様式ではありません。"),
    "form-unsigned": ("warning", "署名のない以前の様式",
                      "以前の版の様式（署名なし）です。内容は読み込みますが、担当課「{value}」の様式であることは確かめられません。"
                      "次の報告からは新しい様式を使ってください。"),
    "form-unsigned-refused": ("error", "署名のない様式",
                              "署名のない様式（様式版 {version}）です。この作業フォルダはこの版の様式を配っていないため受け付けません。"
                              "企画担当課が配った自課の様式に記入して提出してください。"),
    "form-unsigned-period-refused": ("error", "署名のない様式",
                                     "署名のない様式（様式版 {version}）です。この作業フォルダが{period}に配った様式はすべて署名つきのため、"
                                     "受け付けません。企画担当課が配った自課の様式に記入して提出してください。"),
    "form-rows-other-department": ("error", "担当課と行が合わない様式",
                                   "この様式は担当課「{value}」のものとされていますが、載っている行（{rows}）が{value}の様式と違います。"
                                   "別の課の様式から作られた可能性があります。配った自課の様式に記入して提出してください。"),
    "form-file-name-other-department": ("warning", "ファイル名と担当課が違う",
                                        "ファイル名は「{named}」の様式のようですが、中身は担当課「{value}」の様式です。"
                                        "{value}の提出として読み込みます。{named}の提出のつもりなら、{named}の様式に記入し直してください。"),
    "form-stale-plan": ("warning", "計画の変更前の様式",
                        "この様式の作成後に計画体系が変更されています。変更された内容はエラーとして示します。"
                        "企画担当課から新しい様式を受け取り、記入し直してください。"),
    "form-hidden-sheet": ("warning", "非表示のシート",
                          "非表示のシート「{sheet}」があります。このシートの内容は読み込みません。"),
    "form-extra-sheet": ("warning", "様式にないシート",
                         "シート「{sheet}」は様式にないため読み込みません。必要な内容は様式のシートに記入してください。"),
    # --- forms: structure ---------------------------------------------------------------------
    "form-sheet-missing": ("error", "シートがない",
                           "シート「{sheet}」がありません（名前の変更または削除）。シート名を「{sheet}」に戻すか、配布した様式に記入し直してください。"),
    "form-header-changed": ("error", "列の見出しが違う",
                            "列の見出しが「{value}」になっています（本来は「{expected}」）。列の追加・削除・移動をしないでください。配布した様式に記入し直してください。"),
    "form-row-added": ("error", "行の追加",
                       "様式にない行（ID「{value}」）が追加されています。行を削除してください。"),
    "form-row-deleted": ("error", "行の削除",
                         "「{value}」（{name}）の行がありません。行を削除しないでください。配布した様式からその行を戻してください。"),
    "form-locked-edited": ("error", "変更できないセルの変更",
                           "「{column}」が変更されています（様式: {value}／計画: {expected}）。計画の内容は変更できません。元に戻してください。"),
    "form-locked-plan-changed": ("error", "計画の変更前の内容",
                                 "「{column}」が今の計画体系と違います（この様式: {value}／今の計画: {expected}）。"
                                 "この様式を作った後に、企画担当課が計画体系を変更しました。企画担当課から新しい様式を受け取り、"
                                 "記入し直してください。"),
    "form-plan-item-missing": ("warning", "計画で加わった行",
                               "計画の変更で「{value}」（{name}）がこの課の様式に加わりましたが、この様式にはありません。企画担当課から最新の様式を受け取って記入してください。"),
    "form-plan-sheet-added": ("warning", "計画で加わったシート",
                              "計画の変更でこの課に{kind}（{rows}）が加わりましたが、この様式はその前に作ったため"
                              "シート「{sheet}」がありません（この課の様式の誤りではありません）。企画担当課から最新の様式を"
                              "受け取って記入してください。"),
    "form-plan-item-moved": ("error", "計画で担当課が変わった行",
                             "「{value}」は計画の変更で{department}の担当になったため、この様式の行は取り込めません。"
                             "企画担当課から最新の様式を受け取って記入し直してください（{value}の値は{department}が報告します）。"),
    "form-plan-item-removed": ("warning", "今の計画にない行",
                               "「{value}」は今の計画体系にないため、この行の入力は取り込みません。計画の変更でIDが変わった"
                               "のなら、企画担当課から最新の様式を受け取り、その行に記入し直してください。"),
    # --- KPI values -----------------------------------------------------------------------------
    "kpi-percent-as-fraction": ("warning", "％の値が小数で入力されている",
                                "{name}の値「{value}」は{read}として読み取りました。基準値・目標値は1%以上の値です。"
                                "{meant}のつもりであれば「{meant}」と入力し直してください。{read}で正しければ、このままで構いません。"),
    "kpi-previous-edited": ("warning", "前回までの実績の書き換え",
                            "「前回までの実績」が「{value}」になっています（履歴では「{expected}」）。この欄は表示だけで、"
                            "書き換えても取り込みません。前回までの実績が誤っている場合は、企画担当課に連絡してください。"),
    "kpi-value-missing": ("error", "実績値が空欄",
                          "{name}の{word}が{typed}です。値を入力するか、「未記入の理由」を記入してください。"),
    "kpi-value-unreadable": ("error", "数値として読めない",
                             "{name}の「{value}」を数値として読めません。数値だけを入力してください（例: 38039、22.7、-244）。"),
    "kpi-value-text": ("warning", "文字として入力された数値",
                       "{name}の「{value}」は文字として入力されています。{read}として読み取りました。数値だけを入力してください。"),
    "kpi-unit-mismatch": ("error", "単位が違う",
                          "{name}の「{value}」の単位「{unit}」は、この指標の単位「{expected}」と合いません。「{expected}」の数値で入力してください。"),
    "kpi-value-negative": ("error", "ありえない負の値",
                           "{name}は負の値になりません（入力値「{value}」）。値を確認してください。"),
    "kpi-rate-over-100": ("error", "100%を超える割合",
                          "{name}は100%を超えません（入力値「{value}」）。値を確認してください（小数で入力した場合は%の値に直してください）。"),
    "kpi-cumulative-decrease": ("error", "累計が前回より減少",
                                "{name}は累計の指標ですが、前回受理した値（{previous}）より小さくなっています（入力値「{value}」）。値を確認してください。"),
    "shared-read-only-edited": ("error", "ほかの課が報告する行への入力",
                                "「{name}」は{lead}が報告する行で、この課の様式では入力できません。入力した「{value}」を消して提出してください。"),
    "shared-reporting-changed": ("error", "報告のしかたが変わった行",
                                 "「{name}」は、この様式を作った後に企画担当課が計画体系の担当課・報告方法を変更したため、"
                                 "{lead}が報告する行になりました（報告方法: 主担当）。この様式で入力した「{value}」は"
                                 "この課の報告として取り込めません。企画担当課から新しい様式を受け取り、記入し直してください。"),
    "shared-now-reported-here": ("error", "この課が入力する行になった",
                                 "「{name}」は、この様式を作った後に企画担当課が計画体系の担当課・報告方法を変更したため、"
                                 "この課が入力する行になりました（今の報告方法: {reporting}）。この様式ではこの行は"
                                 "「{value}」となっていて入力できないため、値がありません。企画担当課から"
                                 "新しい様式を受け取り、記入し直してください。"),
    "shared-not-recorded": ("warning", "ほかの課が報告する行",
                            "「{name}」は{lead}が報告する行です（報告方法: 主担当）。この課が入力した「{value}」は記録しません。"),
    "kpi-jump": ("warning", "前回から大きく変化",
                 "{name}が前回受理した値（{previous}）から{ratio}倍以上変化しています（入力値「{value}」）。誤りでなければ備考に理由を記入してください。"),
    "kpi-value-with-reason": ("warning", "値と未記入の理由の両方",
                              "{name}に{word}「{actual}」と未記入の理由「{value}」の両方が入力されています。{word}を使い、"
                              "理由は備考として残します。値が出せないのなら{word}を消してください。"),
    "kpi-asof-converted": ("warning", "時点の年が違う",
                           "時点が{value}になっています。年を省いて「3/31」と入力すると、Excel や LibreOffice はパソコンの今年の日付にします。"
                           "年を含めて（例: R6.3.31、2024/3/31）入力し直してください。"),
    "kpi-asof-unreadable": ("warning", "時点が読めない",
                            "時点「{value}」を日付・年月として読めません。「R6.3末」「2024/3/31」のように入力してください。"),
    "kpi-provisional": ("warning", "見込み値",
                        "{name}は「{word}」（確定前の値）として受け付けました。見込み値と同じく暫定の評価とし、公開サイトには"
                        "載せません。確定値が出たら再提出してください。"),
    "kpi-value-is-reason": ("error", "実績値の欄に未記入の理由",
                            "{name}の{word}に「{value}」と入力されています。「{value}」は未記入の理由です。{word}の欄（{value_cell}）を"
                            "空欄にし、「未記入の理由」（{reason_cell}）で「{value}」を選んでください。"),
    "kpi-value-bound": ("error", "実績値が範囲の書き方",
                        "{name}の{word}「{value}」は範囲（以上・以下・未満・超）の書き方です。実績は一つの値で入力してください。"
                        "範囲しか分からない場合は、{word}（{value_cell}）を空欄にして「未記入の理由」（{reason_cell}）を選び、"
                        "「{value}」は備考（{remarks_cell}）に書いてください。"),
    "kpi-aggregation-conflict": ("error", "計画と違う集計方法の値",
                                 "{name}の「{value}」は{written}の値として書かれていますが、計画ではこの指標は{counted}です。"
                                 "{enter}を、「{written}」を付けずに入力してください。{written}の値しかない場合は、空欄にして"
                                 "「未記入の理由」を選び、その値は備考に書いてください。"),
    "kpi-year-conflict": ("error", "値の年と時点が合わない",
                          "{name}の「{value}」は{year}の値として書かれていますが、時点「{as_of}」（{as_of_cell}）は{as_of_year}"
                          "です。どちらが正しいか確認し、値の年か時点を直してください。"),
    "kpi-data-after": ("warning", "報告年度より後の年の値",
                       "{name}の「{value}」の年「{written}」は{year}として読みましたが、この様式は{fiscal}の報告です（{fiscal}"
                       "の値として評価します）。{hint}{year}の値なら、{fiscal}の値に直してください。"),
    "kpi-asof-after": ("warning", "報告年度より後の時点",
                       "{name}の時点「{value}」は{year}の時点として読みましたが、この様式は{fiscal}の報告です（{fiscal}の値と"
                       "して評価します）。{fiscal}末なら「{end}」です。時点と値を確認して直してください。"),
    "kpi-data-before-base": ("warning", "基準年度より前のデータ",
                             "{name}: {read}計画の基準年度（{base}）より前のデータのため、評価しません（評価不能）。{fiscal}"
                             "の値があれば、その値と時点を入力してください。"),
    "kpi-data-base-year": ("warning", "基準年度のデータ",
                           "{name}: {read}計画の基準年度（{base}）のデータで、基準値（{baseline}）と同じ年度の値です。"
                           "基準年度の値として評価しますが、{fiscal}の値であれば年を直してください。"),
    "kpi-data-earlier": ("warning", "報告年度より前のデータ",
                         "{name}: {read}{year}のデータとして、その年度の想定値と比べて評価します。{fiscal}の値であれば"
                         "年を直してください。"),
    "kpi-jump-baseline": ("warning", "基準値から大きく違う",
                          "{name}の値「{value}」は、{against}{ratio}倍を超えて違います（前回受理した値がないため、計画の値と"
                          "比べました）。単位や桁（円と億円、千円など）を確認し、誤りでなければ備考に理由を記入してください。"),
    # --- initiatives and narratives -------------------------------------------------------------
    "init-status-missing": ("error", "実施状況が空欄",
                            "「{name}」の実施状況が空欄です。{choices} から選ぶか、記号（◎○△×）だけを入力してください。"),
    "init-status-invalid": ("error", "実施状況が一覧にない",
                            "実施状況「{value}」は読み取れません。{choices} から選ぶか、記号（◎○△×）だけを入力してください。"),
    "init-status-plan-changed": ("error", "実施状況が今の計画の一覧にない",
                                 "実施状況「{value}」は、今の計画体系の実施状況（{choices}）にありません。この様式を作った後に、"
                                 "企画担当課が計画体系（実施状況の表記など）を変更しました。企画担当課から新しい様式を受け取り、"
                                 "記入し直してください。"),
    "init-next-missing": ("error", "今後の取扱いが空欄",
                          "「{name}」の今後の取扱いが空欄です。{choices} から選んでください。"),
    "init-next-invalid": ("error", "今後の取扱いが一覧にない",
                          "今後の取扱い「{value}」は選べません。{choices} から選んでください。"),
    "repost-cell-not-input": ("error", "【再掲】の行への入力",
                              "「{name}」の【再掲】の行には、この施策での検証内容だけを記入します。「{column}」に入力した"
                              "「{value}」は取組ID「{ident}」の行に記入し、このセルは元に戻してください。"),
    "init-no-reason": ("error", "未実施の理由がない",
                       "「{name}」は{status}ですが、検証内容が空欄です。実施できなかった理由を記入してください。"),
    "init-inconsistent": ("error", "実施状況と取扱いが矛盾",
                          "今後の取扱いが「完了」ですが、実施状況が「{status}」です。どちらかを直してください。"),
    "init-no-explanation": ("warning", "廃止・変更の説明がない",
                            "今後の取扱いが「{value}」ですが、検証内容が空欄です。理由を記入してください。"),
    "init-text-missing": ("warning", "施策シートに載る記述が空欄",
                          "「{name}」は{status}ですが、「{column}」が空欄です。このままでは審議会資料の施策シートに"
                          "「（記載なし）」と表示されます。記入要領の例を参考に記入してください。"),
    "narrative-missing": ("warning", "記述が空欄",
                          "「{column}」が空欄です。このままでは審議会資料に「（記載なし）」と表示されます。"),
    "narrative-too-long": ("warning", "記述が長すぎる",
                           "「{column}」が審議会資料に収まらない長さです（{detail}）。{max_lines}行・1行{max_chars}字程度までにまとめてください。"),
    # --- any cell -------------------------------------------------------------------------------
    "cell-formula-no-result": ("error", "計算結果のない数式",
                               "数式「{value}」の計算結果が保存されていません。Excelで開いて保存し直すか、値を直接入力してください。"),
    "cell-formula": ("warning", "数式の入力",
                     "数式「{value}」が入力されています。計算結果「{result}」を値として読み取りました。値を直接入力してください。"),
    "cell-text-too-long": ("error", "長すぎる文字",
                           "文字数が{length}字あり、Excelの上限（32,767字）を超えています。短くしてください。"),
    "cell-text-at-limit": ("error", "上限ちょうどの文字数",
                           "文字数がExcelの上限（32,767字）ちょうどです。Excel や LibreOffice は長い文字をこの字数で切り捨てて"
                           "保存するため、途中で切れている可能性があります。全文を確かめ、短くして入力し直してください。"),
    "text-too-long-for-master": ("error", "台帳に入りきらない文字",
                                 "{what}は台帳では{length}字になり、1つのセルに入る上限（{limit}字）を超えます。短くして入力し直してください。"),
    "cell-date-out-of-range": ("warning", "日付の範囲外の値",
                               "日付の書式のセルに日付として扱えない値（{value}）があり、#VALUE! として読まれます。"
                               "日付なら正しい日付を、数値なら書式を「標準」にして入力し直してください。"),
    "cell-date-in-text": ("warning", "日付になった文字",
                          "「{column}」が日付（{value}）として保存されています。「1-2」「3/31」のような入力は Excel や LibreOffice が"
                          "日付に変えることがあります。日付のつもりでなければ、新しい様式（文字として入力できます）で入力し直してください。"),
    "cell-control-chars": ("error", "使えない制御文字",
                           "表示できない制御文字が含まれています。その文字を削除して入力し直してください。"),
    # --- shared KPIs and initiatives: what the planning office must look at --------------------------
    "shared-parts-missing": ("warning", "合算する値がそろっていない",
                             "「{name}」は各課の値を合算して評価する指標ですが、{departments}の値がありません（{value}）。"
                             "そろうまで評価しません。該当の課に提出または値の入力を依頼してください。"),
    "shared-parts-years-differ": ("warning", "合算する値のデータの年度が違う",
                                  "「{name}」は各課の値を合算して評価する指標ですが、データの年度が課によって違います"
                                  "（{value}）。年度の違う値は合算できないため評価しません。{departments}に、"
                                  "同じ年度のデータ（時点）で報告するよう確認してください。"),
    "inbox-duplicate": ("warning", "同じ課の複数のファイル",
                        "{department}の同じ報告期間のファイルが{count}件届いています（{files}）。{adopted}"
                        "違っていれば課に確かめ、不要なファイルを受信フォルダから取り除いてください。"),
    "override-value-changed": ("warning", "手動評価のあとに値が変わった",
                               "{kpi_id}「{name}」の評価は手動で「{grade}」にしています（理由: {reason}）が、その評価は"
                               "値「{before}」のときに付けたもので、今の値は「{value}」です。手動評価はそのまま使っています。"
                               "見直して、「kpireport override {kpi_id} 評価 --reason 理由」で付け直すか、"
                               "「kpireport override {kpi_id} --clear」で取り消してください。"),
    "shared-disagree": ("warning", "共同担当の値が食い違う",
                        "「{name}」の値が担当課で食い違っています（{value}）。主担当の{lead}の値で評価しています。"
                        "どちらが正しいか担当課に確認してください。"),
    "shared-status-differs": ("warning", "共同担当の実施状況が違う",
                              "取組「{name}」の実施状況が担当課で違います（{value}）。主担当の{lead}の実施状況で集計しています。"),
    "shared-lead-missing": ("warning", "主担当の課の報告がない",
                            "{kind}「{name}」は{lead}が報告する{kind}ですが、{lead}の値がありません"
                            "（ほかの課の記載: {value}。報告方法が主担当のため使いません）。{lead}に提出を依頼してください。"),
    # --- importing old records -------------------------------------------------------------------
    "import-unknown-kpi": ("error", "知らない指標ID", "指標ID「{value}」は計画体系にありません。この行は取り込みません。"),
    "import-year-unreadable": ("error", "年度が読めない",
                               "年度「{value}」を読めません。「令和4年度」「R4」「2022」のように入力してください。この行は取り込みません。"),
    "import-value-unreadable": ("error", "実績値が読めない", "{name}の実績値「{value}」を数値として読めません。この行は取り込みません。"),
    "import-unit-mismatch": ("error", "単位が違う",
                             "{name}の「{value}」の単位「{unit}」が指標の単位「{expected}」と合いません。この行は取り込みません。"),
    "import-year-not-past": ("error", "集計する年度以後の実績",
                             "{name}の{year}の実績「{value}」は{when}のものです。{actual}以後の実績は各課の様式で提出してもらい、"
                             "「kpireport merge」で集計します（過去の実績として取り込めるのは{actual}より前の年度だけです）。"
                             "この行は取り込みません。"),
    "import-year-submitted": ("warning", "受理した提出がある年度",
                              "{name}の{year}の実績は、受理した提出（{source}）の値 {submitted} を使っているため、"
                              "「{value}」は取り込みません。提出の値が誤っていれば、担当課に直した様式を送ってもらってください。"),
    "import-no-table": ("error", "表が見つからない",
                        "1行目に「指標ID」「年度」「実績値」の見出しがあるシートが見つかりません。見出しを付けてください。"),
    # --- intake: the file itself ----------------------------------------------------------------
    "file-empty": ("error", "空のファイル", "ファイルが空です（0バイト）。記入した様式を保存し直して、もう一度送ってください。"),
    "file-not-workbook": ("error", "Excelブックではない",
                          "このファイルはExcelブック（.xlsx）ではありません（{detail}）。配布した様式に記入し、Excelブック（*.xlsx）形式で保存してください。"),
    "file-old-xls": ("error", "古い形式（.xls）",
                     "古いExcel形式（.xls）または別形式で保存されています。Excelで開き「名前を付けて保存」で「Excelブック（*.xlsx）」を選んで保存し直してください。"),
    "file-encrypted": ("error", "パスワード付き",
                       "パスワードで保護（暗号化）されているため読めません。Excelで開き「ファイル」→「情報」→「ブックの保護」からパスワードを解除して保存し直してください。"),
    "file-macro": ("error", "マクロ有効ブック",
                   "マクロ有効ブック（.xlsm）は受け付けません。「Excelブック（*.xlsx）」形式で保存し直してください。"),
    "file-other-format": ("error", "別の表計算形式",
                          "{detail}の形式で保存されています。Excelで開き「Excelブック（*.xlsx）」形式で保存し直してください。"),
    "file-strict-ooxml": ("error", "Strict Open XML 形式",
                          "「Strict Open XML スプレッドシート」形式は読めません。「Excelブック（*.xlsx）」形式で保存し直してください。"),
    "file-broken": ("error", "壊れたファイル",
                    "ファイルが壊れているため読めません（{detail}）。元のファイルから保存し直して、もう一度送ってください。"),
    "file-too-large": ("error", "大きすぎるファイル",
                       "ファイルが大きすぎます（{detail}）。様式以外のデータや画像を削除してから保存し直してください。"),
    "file-suspicious": ("error", "不審なファイル",
                        "ファイルの中身に不審な構造があるため読みません（{detail}）。配布した様式に記入し直してください。"),
    "file-unreadable": ("error", "読めないファイル",
                        "ファイルを読み込めませんでした（{detail}）。Excelで開けるか確認し、「Excelブック（*.xlsx）」形式で保存し直してください。"),
    "file-check-failed": ("error", "検査できなかったファイル",
                          "このファイルは検査の途中で止まったため受け付けません（{detail}）。ほかのファイルの検査は続けました。"
                          "配布した様式に記入し直して、もう一度送ってください。"),
    "file-no-sheets": ("error", "シートがない",
                       "ブックにシートが1つもありません（または読み取れません）。配布した様式に記入し直してください。"),
}


QUOTED_CHARS = 200


# what a first value was compared with (kpi-jump-baseline): the baseline, and the target when the plan has one
JUMP_AGAINST_BOTH = "基準値（{baseline}）とも目標値（{target}）とも"
JUMP_AGAINST_BASELINE = "基準値（{baseline}）と"
# how the year of a figure was read, at the head of the year findings (kpi-data-…)
YEAR_READ_IN_VALUE = "「{value}」の年「{written}」は{year}として読みました。"
# a bare year one after the report's (「27人(R6)」) may be the calendar year whose January to March end the fiscal year
CALENDAR_HINT = "「{written}」が暦年の{calendar}（その1〜3月は{fiscal}）のことなら、値の年を消し、時点に「{end}」のように書いてください。"
# a bare year in the value that the 時点 pins to the fiscal year before (「11事業者(R5)」 with 「R5.3末」): the 時点 decides
YEAR_READ_IN_BOTH = ("「{value}」の年「{written}」は暦年とも読めるため、時点「{as_of}」（{as_of_cell}）から{year}のデータと"
                     "して読みました（{fiscal}末なら時点は「{end}」です）。")
YEAR_READ_IN_AS_OF = "時点「{value}」は{year}の時点として読みました（{fiscal}末なら「{end}」です）。"
# what a KPI's 集計方法 counts, and what to enter instead of a value that says otherwise ({year}: the report's)
AGGREGATION_MEANS = {
    "単年度": ("単年度の指標（その年度1年間の値）", "{year}の1年間の値"),
    "累計": ("累計の指標（計画期間の累計）", "{year}末までの累計の値"),
    "年平均": ("年平均の指標（1年あたりの平均）", "計画の期間の1年あたりの平均の値"),
}


def finding(code: str, *, file: str = "", sheet: str = "", cell: str = "", value: object = "",
            severity: str | None = None, **fields: object) -> Finding:
    """Build a Finding from the catalogue; ``fields`` fill the message template."""
    default_severity, _title, template = CATALOGUE[code]
    text = "" if value is None else str(value)
    if len(text) > QUOTED_CHARS:  # a finding quotes what was typed, never a whole pasted text
        text = text[:QUOTED_CHARS] + f"…（全{len(text):,}字）"
    return Finding(code=code, severity=severity or default_severity,  # type: ignore[arg-type]
                   message=template.format(value=text, sheet=sheet, file=file, **fields), file=file, sheet=sheet, cell=cell,
                   value=text)


def title(code: str) -> str:
    return CATALOGUE[code][1]
