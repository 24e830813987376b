//! The Lead aggregate: a person who might buy, from first contact to won or lost.

mod access;
mod aggregate;
mod commands;
mod error;
mod events;

pub use access::LeadAccess;
pub use aggregate::Lead;
pub use commands::{CreateLead, LeadAction, LeadChanges, LeadCommand, LogActivity};
pub use error::LeadError;
pub use events::{
    ActivityLogged, LeadAssigned, LeadCreated, LeadErased, LeadEvent, LeadScoreChanged, LeadScored, LeadStageChanged,
    LeadStatusChanged, LeadUpdated, NoteAdded, TagsAdded,
};

#[cfg(test)]
mod tests;
