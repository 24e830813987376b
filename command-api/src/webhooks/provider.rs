/// A provider that calls our inbound webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Vapi,
    Retell,
    Telnyx,
    Whatsapp,
    GoHighLevel,
}

impl Provider {
    /// Reads the `{provider}` path segment.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.trim().to_lowercase().as_str() {
            "vapi" => Self::Vapi,
            "retell" => Self::Retell,
            "telnyx" => Self::Telnyx,
            "whatsapp" => Self::Whatsapp,
            "ghl" | "gohighlevel" => Self::GoHighLevel,
            _ => return None,
        })
    }

    /// The path segment and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vapi => "vapi",
            Self::Retell => "retell",
            Self::Telnyx => "telnyx",
            Self::Whatsapp => "whatsapp",
            Self::GoHighLevel => "ghl",
        }
    }

    /// The header that carries the body's HMAC-SHA256.
    pub fn signature_header(self) -> &'static str {
        match self {
            Self::Vapi => "x-vapi-signature",
            Self::Retell => "x-retell-signature",
            Self::Telnyx => "x-telnyx-signature",
            Self::Whatsapp => "x-hub-signature-256",
            Self::GoHighLevel => "x-ghl-signature",
        }
    }
}
