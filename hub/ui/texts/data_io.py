"""Texts of HQ's import / export screen (导入导出, keys io_*)."""
TEXTS = {
    "io_title": ("导入导出", "Import / export"),
    "io_hint": ("从CSV或Excel文件导入：先预览（只检查、不写入），文件中没有错误行时才能确认导入，"
                "要么全部导入，要么都不导入。第一行为列名（中文或英文均可）；空单元格保留原值。导出的文件可直接修改后再导入。",
                "Import from a CSV or Excel file: the preview checks and writes nothing; a file imports only when no "
                "row has an error, and then all of it. The first row names the columns (Chinese or English); an "
                "empty cell keeps the value. An exported file can be edited and imported again."),
    "io_entity": ("数据类型", "Data"),
    "io_pick": ("选择文件并预览…", "Choose a file and preview…"),
    "io_file": ("文件：{name}", "File: {name}"),
    "io_import": ("确认导入", "Import"),
    "io_export_csv": ("导出CSV", "Export CSV"),
    "io_export_xlsx": ("导出Excel", "Export Excel"),
    "io_exported": ("已导出 {name}", "Exported {name}"),
    "io_preview": ("预览：新增 {new} 行，修改 {changed} 行，不变 {unchanged} 行，错误 {errors} 行",
                   "Preview: {new} new, {changed} changed, {unchanged} unchanged, {errors} with errors"),
    "io_has_errors": ("文件中有错误行，不能导入。请修改文件后重新选择。",
                      "Rows of the file have errors; it cannot be imported. Correct the file and choose it again."),
    "io_nothing": ("没有需要导入的变化。", "Nothing to import: no row changes anything."),
    "io_done": ("已导入：新增 {new} 行，修改 {changed} 行，不变 {unchanged} 行",
                "Imported: {new} new, {changed} changed, {unchanged} unchanged"),
    "io_line": ("行号", "Line"),
    "io_status": ("结果", "Result"),
    "io_key": ("关键字段", "Key"),
    "io_changes": ("变化", "Changes"),
    "io_errors": ("错误行", "Rows with errors"),
    "io_more_rows": ("（另有 {n} 行未显示）", "({n} more rows not shown)"),
    "io_passwords_title": ("新用户的初始密码", "Passwords of the new users"),
    "io_passwords": ("以下密码只显示这一次，请妥善转交：", "These passwords are shown only this once; hand them over "
                                                          "safely:"),
}
