use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::values::{LongText, ShortText};

/// How a message reaches the lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    /// `sms` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// The timeline entry a sent message of this channel becomes.
    pub fn activity_type(self) -> &'static str {
        match self {
            Self::Sms => "sms_sent",
            Self::Email => "email_sent",
        }
    }
}

/// A message a provider accepted for the lead: what went out, to where, and the provider's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    pub message_id: Uuid,
    pub channel: Channel,
    /// An E.164 number for SMS, an e-mail address for e-mail.
    pub to: String,
    pub subject: Option<ShortText>,
    pub body: LongText,
    /// Which provider took it (`local` for the built-in recorder).
    pub provider: String,
    pub provider_message_id: String,
}

/// A message the lead sent us, as the provider delivered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedMessage {
    pub message_id: Uuid,
    /// `sms` or `whatsapp`.
    pub channel: String,
    /// The sender's number, E.164.
    pub from: String,
    pub body: LongText,
    /// Which provider delivered it (`telnyx`, `whatsapp`, `ghl`).
    pub provider: String,
    pub provider_message_id: String,
}
