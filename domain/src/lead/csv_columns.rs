//! The columns of a lead CSV: what an export writes and an import reads back.

/// Every column, in the order an export writes them.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "industry",
    "source",
    "message",
    "notes",
    "tags",
    "status",
    "pipeline_stage",
    "score",
    "tier",
    "assigned_to",
    "metadata",
    "created_at",
    "updated_at",
];

/// Columns the system sets, which an import ignores.
pub const SYSTEM_CSV_COLUMNS: &[&str] = &["id", "score", "tier", "assigned_to", "created_at", "updated_at"];

/// Columns an import reads as text fields of the new lead (`tags` and `metadata` have their
/// own formats; other columns go into `metadata`).
pub fn is_text_field_column(column: &str) -> bool {
    CSV_COLUMNS.contains(&column) && !SYSTEM_CSV_COLUMNS.contains(&column) && !matches!(column, "tags" | "metadata")
}

/// What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV injection list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as an export writes it: one a spreadsheet would run as a formula gets a leading `'`,
/// which spreadsheets show as text. A plain signed number (an E.164 phone, `+56911112222`) is
/// left alone: no spreadsheet runs it, and an import must read it back as it was.
pub fn csv_cell_for_export(value: &str) -> std::borrow::Cow<'_, str> {
    let plain_number = |v: &str| {
        let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
    };
    if value.starts_with(FORMULA_STARTS) && !plain_number(value) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// A cell as an import reads it: the export's `'` guard is taken off again.
pub fn csv_cell_from_import(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_read_back() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
        ] {
            let out = csv_cell_for_export(formula);
            assert_eq!(out, format!("'{formula}"));
            assert_eq!(csv_cell_from_import(&out), formula);
        }
        for plain in ["+56911112222", "-5", "Ana", "a=b", ""] {
            assert_eq!(csv_cell_for_export(plain), plain);
            assert_eq!(csv_cell_from_import(plain), plain);
        }
        assert_eq!(csv_cell_from_import("'quoted"), "'quoted");
    }
}
