//! The Lead aggregate: a person who might buy, from first contact to won or lost.

mod access;
mod aggregate;
mod commands;
mod csv_columns;
mod enrichment;
mod error;
mod events;
mod message;

pub use access::LeadAccess;
pub use aggregate::Lead;
pub use commands::{CreateLead, CrmRoute, LeadAction, LeadChanges, LeadCommand, LogActivity, Qualification};
pub use csv_columns::{
    csv_cell_for_export, csv_cell_from_import, is_text_field_column, CSV_COLUMNS, SYSTEM_CSV_COLUMNS,
};
pub use enrichment::{Enrichment, EnrichmentInput};
pub use error::LeadError;
pub use events::{
    ActivityLogged, LeadAssigned, LeadCreated, LeadEnriched, LeadErased, LeadEvent, LeadQualified, LeadRouted,
    LeadScoreChanged, LeadScored, LeadStageChanged, LeadStatusChanged, LeadUpdated, MessageReceived, MessageSent,
    NoteAdded, TagsAdded,
};
pub use message::{Channel, ReceivedMessage, SentMessage};

#[cfg(test)]
mod tests;
