//! Inbound provider webhooks: VAPI, Retell and Telnyx call events, Telnyx and WhatsApp inbound
//! messages, GoHighLevel contacts. Each is verified (HMAC-SHA256 over the raw body with the
//! tenant's secret for that provider, compared in constant time), taken once per provider event
//! id, read into one vocabulary of inbound events, and turned into commands.

mod inbound_event;
mod inbound_service;
mod provider;
mod signature;

pub use inbound_event::{CallRef, Inbound};
pub use inbound_service::{InboundOutcome, InboundService, ProviderSecret};
pub use provider::Provider;
pub use signature::{sign, verify};
