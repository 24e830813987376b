//! The pure domain of leadstream: aggregates decide events from commands and fold them into
//! state. Nothing here does I/O or reads a clock; time arrives inside commands.

pub mod appointment;
pub mod batch;
pub mod call;
pub mod conversation;
pub mod envelope;
pub mod event_contract;
pub mod identity;
pub mod lead;
pub mod personal_data;
pub mod scoring;
pub mod sequence;
pub mod text_match;
pub mod validation;
pub mod values;

pub use event_contract::EventContract;
pub use validation::{FieldError, ValidationErrors};
