//! Reading each provider's payload into one vocabulary of inbound events.

use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Provider;

/// How a provider names a call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRef {
    pub provider_call_id: String,
    /// Our own call id, when the call was placed with it in the provider's metadata.
    pub call_id: Option<Uuid>,
    /// The caller's number: an unknown call from it is an inbound call.
    pub from: Option<String>,
}

/// What a provider told us.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    CallAnswered(CallRef),
    /// The customer said `text` (and the provider's agent answered `reply`, when it says).
    CallUtterance {
        call: CallRef,
        text: String,
        reply: Option<String>,
    },
    /// The call ended; `transcript` holds the exchanges when the provider sends them at the end.
    CallEnded {
        call: CallRef,
        reason: String,
        outcome: Option<String>,
        transcript: Vec<(String, Option<String>)>,
    },
    MessageReceived {
        from: String,
        text: String,
        provider_message_id: String,
        /// `sms` or `whatsapp`.
        channel: &'static str,
    },
    /// A CRM contact was created or changed.
    Contact {
        contact_id: String,
        location_id: Option<String>,
        first_name: Option<String>,
        last_name: Option<String>,
        name: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        message: Option<String>,
    },
    /// Something we do not act on.
    Ignored(String),
}

fn text(value: &Value, path: &[&str]) -> Option<String> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first(value: &Value, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| text(value, p))
}

/// The provider's id for this delivery (so a replay is recognised), or the body's SHA-256 when
/// the provider gives none: a replay of the same bytes is the same event.
pub fn event_id(provider: Provider, body: &Value, raw: &[u8]) -> String {
    let named = match provider {
        Provider::Telnyx => first(body, &[&["data", "id"], &["id"]]),
        Provider::Whatsapp => whatsapp_messages(body).first().map(|m| m.2.clone()),
        Provider::GoHighLevel => first(body, &[&["webhookId"], &["id"]]),
        Provider::Vapi | Provider::Retell => None,
    };
    named.unwrap_or_else(|| {
        let digest = Sha256::digest(raw);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    })
}

/// Reads `body` as `provider` sends it.
pub fn read(provider: Provider, body: &Value) -> Vec<Inbound> {
    match provider {
        Provider::Vapi => vec![vapi(body)],
        Provider::Retell => vec![retell(body)],
        Provider::Telnyx => vec![telnyx(body)],
        Provider::Whatsapp => {
            let messages = whatsapp_messages(body);
            if messages.is_empty() {
                return vec![Inbound::Ignored("no inbound text message".into())];
            }
            messages
                .into_iter()
                .map(|(from, text, id)| Inbound::MessageReceived {
                    from,
                    text,
                    provider_message_id: id,
                    channel: "whatsapp",
                })
                .collect()
        }
        Provider::GoHighLevel => vec![ghl(body)],
    }
}

fn call_ref(call: &Value, id_paths: &[&[&str]], from_paths: &[&[&str]]) -> Option<CallRef> {
    Some(CallRef {
        provider_call_id: first(call, id_paths)?,
        call_id: first(call, &[&["metadata", "call_id"], &["metadata", "leadstream_call_id"]])
            .and_then(|id| Uuid::parse_str(&id).ok()),
        from: first(call, from_paths),
    })
}

/// VAPI: `{"message": {"type", "call": {"id", "customer": {"number"}, "metadata"}, …}}`.
fn vapi(body: &Value) -> Inbound {
    let message = body.get("message").unwrap_or(body);
    let kind = text(message, &["type"]).unwrap_or_default();
    let call = message.get("call").unwrap_or(&Value::Null);
    let Some(call) = call_ref(call, &[&["id"]], &[&["customer", "number"]]) else {
        return Inbound::Ignored(format!("{kind} without a call id"));
    };
    match kind.as_str() {
        "status-update" => match text(message, &["status"]).as_deref() {
            Some("in-progress") => Inbound::CallAnswered(call),
            Some("ended") => Inbound::CallEnded {
                call,
                reason: text(message, &["endedReason"]).unwrap_or_else(|| "completed".into()),
                outcome: None,
                transcript: vec![],
            },
            other => Inbound::Ignored(format!("status {}", other.unwrap_or("unknown"))),
        },
        "transcript" => {
            let role = text(message, &["role"]).unwrap_or_default();
            let is_final = text(message, &["transcriptType"]).is_none_or(|t| t == "final");
            match text(message, &["transcript"]) {
                Some(text) if role == "user" && is_final => Inbound::CallUtterance {
                    call,
                    text,
                    reply: None,
                },
                _ => Inbound::Ignored("an assistant or partial transcript".into()),
            }
        }
        "end-of-call-report" => Inbound::CallEnded {
            call,
            reason: text(message, &["endedReason"]).unwrap_or_else(|| "completed".into()),
            outcome: first(message, &[&["outcome"], &["analysis", "outcome"]]),
            transcript: text(message, &["transcript"])
                .map(|t| exchanges(&t))
                .unwrap_or_default(),
        },
        other => Inbound::Ignored(format!("message type {other:?}")),
    }
}

/// Retell: `{"event", "call": {"call_id", "from_number", "transcript", …}}`, or seed 002's
/// `{"event_type": "conversation.ended", "data": {"conversation_id", "transcript", "outcome"}}`.
fn retell(body: &Value) -> Inbound {
    let kind = first(body, &[&["event"], &["event_type"]]).unwrap_or_default();
    let call = body.get("call").or_else(|| body.get("data")).unwrap_or(&Value::Null);
    let Some(call_ref) = call_ref(
        call,
        &[&["call_id"], &["conversation_id"]],
        &[&["from_number"], &["from"]],
    ) else {
        return Inbound::Ignored(format!("{kind} without a call id"));
    };
    match kind.as_str() {
        "call_started" | "conversation.started" => Inbound::CallAnswered(call_ref),
        "call_ended" | "conversation.ended" | "call_analyzed" => Inbound::CallEnded {
            call: call_ref,
            reason: text(call, &["disconnection_reason"])
                .map(|r| if r.contains("hangup") { "completed".into() } else { r })
                .unwrap_or_else(|| "completed".into()),
            outcome: first(call, &[&["outcome"], &["call_analysis", "outcome"]]),
            transcript: text(call, &["transcript"]).map(|t| exchanges(&t)).unwrap_or_default(),
        },
        other => Inbound::Ignored(format!("event {other:?}")),
    }
}

/// Telnyx: `{"data": {"event_type", "id", "payload": {…}}}`, or seed 002's
/// `{"event_type", "data": {…}}`.
fn telnyx(body: &Value) -> Inbound {
    let (kind, payload) = match body.get("data").and_then(|d| d.get("event_type")) {
        Some(_) => (
            text(body, &["data", "event_type"]),
            body.get("data").and_then(|d| d.get("payload")).unwrap_or(&Value::Null),
        ),
        None => (text(body, &["event_type"]), body.get("data").unwrap_or(&Value::Null)),
    };
    let kind = kind.unwrap_or_default();
    let from = first(payload, &[&["from", "phone_number"], &["from"]]);
    if kind == "message.received" {
        return match (from, first(payload, &[&["text"], &["body"]])) {
            (Some(from), Some(text)) => Inbound::MessageReceived {
                from,
                text,
                provider_message_id: first(payload, &[&["id"]]).unwrap_or_default(),
                channel: "sms",
            },
            _ => Inbound::Ignored("a message without sender or text".into()),
        };
    }
    let Some(call) = call_ref(payload, &[&["call_control_id"], &["call_leg_id"]], &[&["from"]]) else {
        return Inbound::Ignored(format!("{kind} without a call id"));
    };
    match kind.as_str() {
        "call.answered" => Inbound::CallAnswered(call),
        "call.transcription" => match first(payload, &[&["transcription_data", "transcript"], &["transcript"]]) {
            Some(text) => Inbound::CallUtterance {
                call,
                text,
                reply: None,
            },
            None => Inbound::Ignored("an empty transcription".into()),
        },
        "call.hangup" => Inbound::CallEnded {
            call,
            reason: match text(payload, &["hangup_cause"]).as_deref() {
                None | Some("normal_clearing") => "completed".into(),
                Some("user_busy") => "busy".into(),
                Some("no_answer" | "timeout") => "no_answer".into(),
                Some(other) => other.to_string(),
            },
            outcome: text(payload, &["outcome"]),
            transcript: vec![],
        },
        other => Inbound::Ignored(format!("event {other:?}")),
    }
}

/// WhatsApp Cloud API: `entry[].changes[].value.messages[]` with `from`, `id`, `text.body`.
fn whatsapp_messages(body: &Value) -> Vec<(String, String, String)> {
    let list = |v: &Value, key: &str| v.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut found = vec![];
    for entry in list(body, "entry") {
        for change in list(&entry, "changes") {
            let value = change.get("value").cloned().unwrap_or(Value::Null);
            for message in list(&value, "messages") {
                if let (Some(from), Some(text), Some(id)) = (
                    text(&message, &["from"]),
                    text(&message, &["text", "body"]),
                    text(&message, &["id"]),
                ) {
                    let from = if from.starts_with('+') {
                        from
                    } else {
                        format!("+{from}")
                    };
                    found.push((from, text, id));
                }
            }
        }
    }
    found
}

/// GoHighLevel (seed 000): `{"type", "locationId", "contactId", "body", "phone", …}`.
fn ghl(body: &Value) -> Inbound {
    let kind = text(body, &["type"]).unwrap_or_default();
    match kind.as_str() {
        "ContactCreate" | "ContactUpdate" => match text(body, &["contactId"]).or_else(|| text(body, &["id"])) {
            Some(contact_id) => Inbound::Contact {
                contact_id,
                location_id: text(body, &["locationId"]),
                first_name: text(body, &["firstName"]),
                last_name: text(body, &["lastName"]),
                name: first(body, &[&["name"], &["fullName"]]),
                email: text(body, &["email"]),
                phone: text(body, &["phone"]),
                message: first(body, &[&["body"], &["message"]]),
            },
            None => Inbound::Ignored("a contact without an id".into()),
        },
        "InboundMessage" => match (text(body, &["phone"]), first(body, &[&["body"], &["message"]])) {
            (Some(from), Some(text)) => Inbound::MessageReceived {
                from,
                text,
                provider_message_id: first(body, &[&["messageId"], &["id"]]).unwrap_or_default(),
                channel: "sms",
            },
            _ => Inbound::Ignored("a message without phone or body".into()),
        },
        other => Inbound::Ignored(format!("type {other:?}")),
    }
}

/// A transcript as providers write it (`AI: …` / `User: …` lines) as (customer, reply) pairs:
/// each customer line with the assistant line after it.
fn exchanges(transcript: &str) -> Vec<(String, Option<String>)> {
    let mut pairs: Vec<(String, Option<String>)> = vec![];
    for line in transcript.lines() {
        let Some((speaker, said)) = line.split_once(':') else {
            continue;
        };
        let said = said.trim();
        if said.is_empty() {
            continue;
        }
        match speaker.trim().to_lowercase().as_str() {
            "user" | "customer" | "caller" => pairs.push((said.to_string(), None)),
            "ai" | "agent" | "assistant" | "bot" => {
                if let Some(last) = pairs.last_mut().filter(|(_, reply)| reply.is_none()) {
                    last.1 = Some(said.to_string());
                }
            }
            _ => {}
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn providers_payloads_read_into_one_vocabulary() {
        let vapi_answer = json!({"message": {"type": "status-update", "status": "in-progress", "call": {"id": "v-1"}}});
        assert!(
            matches!(&read(Provider::Vapi, &vapi_answer)[0], Inbound::CallAnswered(c) if c.provider_call_id == "v-1")
        );
        let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-ended-call",
            "call": {"id": "v-1"}, "transcript": "AI: Hi!\nUser: Tell me more\nAI: Sure.\nUser: Book me in"}});
        let Inbound::CallEnded { transcript, reason, .. } = &read(Provider::Vapi, &report)[0] else {
            panic!()
        };
        assert_eq!(reason, "customer-ended-call");
        assert_eq!(
            transcript,
            &[
                ("Tell me more".to_string(), Some("Sure.".to_string())),
                ("Book me in".to_string(), None)
            ]
        );
        let seed = json!({"event_type": "conversation.ended", "data": {"conversation_id": "conv_123",
            "transcript": "User: Hello, this is John", "outcome": "appointment_scheduled"}});
        assert!(matches!(&read(Provider::Retell, &seed)[0],
            Inbound::CallEnded { call, outcome: Some(o), .. } if call.provider_call_id == "conv_123" && o == "appointment_scheduled"));
        let sms = json!({"event_type": "message.received", "data": {"from": "+1234567890", "to": "+0987654321",
            "text": "Hello, I'm interested in your services"}});
        assert!(
            matches!(&read(Provider::Telnyx, &sms)[0], Inbound::MessageReceived { from, channel: "sms", .. } if from == "+1234567890")
        );
        let real = json!({"data": {"event_type": "call.hangup", "id": "evt-9",
            "payload": {"call_control_id": "cc-1", "hangup_cause": "user_busy"}}});
        assert!(matches!(&read(Provider::Telnyx, &real)[0], Inbound::CallEnded { reason, .. } if reason == "busy"));
        assert_eq!(event_id(Provider::Telnyx, &real, b""), "evt-9");
        let whatsapp = json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {
            "messages": [{"from": "56912345678", "id": "wamid.1", "type": "text", "text": {"body": "Hola"}}]}}]}]});
        assert!(matches!(&read(Provider::Whatsapp, &whatsapp)[0],
            Inbound::MessageReceived { from, channel: "whatsapp", .. } if from == "+56912345678"));
        assert_eq!(event_id(Provider::Whatsapp, &whatsapp, b""), "wamid.1");
        let contact = json!({"type": "ContactCreate", "locationId": "loc-001", "contactId": "contact-001",
            "body": "I'm interested in buying a home", "phone": "+1-555-0100"});
        assert!(
            matches!(&read(Provider::GoHighLevel, &contact)[0], Inbound::Contact { contact_id, .. } if contact_id == "contact-001")
        );
        assert!(matches!(
            &read(Provider::GoHighLevel, &json!({"type": "OpportunityDelete"}))[0],
            Inbound::Ignored(_)
        ));
        assert_eq!(
            event_id(Provider::Vapi, &vapi_answer, b"abc").len(),
            64,
            "no id: the body's hash"
        );
    }
}
