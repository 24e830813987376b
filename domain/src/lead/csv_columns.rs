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
