//! How request fields are described in the API document, from the same rules the domain's
//! parsers apply: a field marked `#[schema(schema_with = field_schema::short_text)]` tells a
//! client (and a generated client, and schemathesis) what the server will accept. Each comes in
//! two kinds: the plain one for a required field, and `…_or_null` for an optional one, where
//! `null` means "not given", as the server reads it.

use leadstream_domain::identity::Role;
use leadstream_domain::values::{LeadStatus, LongText, Metadata, PersonName, PipelineStage, ShortText, Tags};
use serde_json::Value;
use utoipa::openapi::schema::{
    AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Array, KnownFormat, Object, Ref, RefOr, Schema};

/// Text a person writes: not blank, no control characters but line breaks and tabs (the domain
/// trims it and refuses other control characters).
const TEXT: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*\
[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// A tag's text: not blank, and no control character.
const TAG: &str =
    "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// `local@domain.tld` as `EmailAddress::parse` reads it (ASCII here).
const EMAIL: &str =
    "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{0,62}[A-Za-z0-9!#$%&'*+/=?^_`{|}~-])?@\
([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]$";
/// E.164: `+`, then 8 to 15 digits, the first not 0.
const PHONE: &str = "^\\+[1-9][0-9]{7,14}$";
/// A new password: printable ASCII here, with a digit and a special character (the domain takes
/// any characters; a generated client needs no more than these).
const PASSWORD: &str = "^[ -~]*([0-9][ -~]*[!-/:-@\\[-`{-~]|[!-/:-@\\[-`{-~][ -~]*[0-9])[ -~]*$";
/// A username: 3 to 64 of letters, digits, `.`, `_`, `-` (lower-cased by the server).
const USERNAME: &str = "^[A-Za-z0-9._-]{3,64}$";
/// A UUID in its hyphenated form (OpenAPI 3.1's `format` alone asserts nothing).
const UUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// A calendar date.
const DATE: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$";
/// An RFC 3339 time.
const DATE_TIME: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";
/// A pattern for text that holds no NUL (PostgreSQL cannot store one).
pub const NO_NUL: &str = "^[^\\u0000]*$";
/// A slug (`website_form`, `call`) as the domain reads one: trimmed of what Rust's `trim`
/// removes (Unicode White_Space), then lower-cased (so ASCII letters of either case, and the
/// Kelvin sign, which lower-cases to `k`), 1 to 50 of `a-z`, `0-9`, `_`, `-`.
const SLUG: &str = "^[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*[A-Za-z0-9_\\u212a-]{1,50}[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$";

fn string(nullable: bool) -> ObjectBuilder {
    let schema_type = if nullable {
        SchemaType::Array(vec![Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(schema_type)
}

fn text(nullable: bool, max: usize) -> Object {
    string(nullable)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(TEXT))
        .build()
}

fn one_of<'a>(nullable: bool, names: impl IntoIterator<Item = &'a str>) -> Object {
    let mut values: Vec<Value> = names.into_iter().map(Value::from).collect();
    if nullable {
        values.push(Value::Null);
    }
    string(nullable).enum_values(Some(values)).build()
}

macro_rules! field {
    ($(#[$doc:meta])* $name:ident, $or_null:ident, |$nullable:ident| $schema:expr) => {
        $(#[$doc])*
        pub fn $name() -> Object {
            let $nullable = false;
            $schema
        }

        $(#[$doc])*
        /// `null` or absent: not given.
        pub fn $or_null() -> Object {
            let $nullable = true;
            $schema
        }
    };
}

field!(
    /// A person's name or part of one.
    person_name, person_name_or_null, |nullable| text(nullable, PersonName::MAX_CHARS)
);
field!(
    /// A short attribute: company, title, industry, a subject.
    short_text, short_text_or_null, |nullable| text(nullable, ShortText::MAX_CHARS)
);
field!(
    /// Free text: a message, a note, a description.
    long_text, long_text_or_null, |nullable| text(nullable, LongText::MAX_CHARS)
);
field!(
    /// An e-mail address.
    email, email_or_null, |nullable| string(nullable).max_length(Some(254)).pattern(Some(EMAIL)).build()
);
field!(
    /// A phone number in E.164.
    phone, phone_or_null, |nullable| string(nullable).pattern(Some(PHONE)).build()
);
field!(
    /// The id of a resource (a lead, a user, a sequence).
    id, id_or_null, |nullable| formatted(nullable, KnownFormat::Uuid, UUID)
);
field!(
    /// A lower-case slug.
    slug, slug_or_null, |nullable| string(nullable).pattern(Some(SLUG)).build()
);
field!(
    /// A lead's status.
    lead_status, lead_status_or_null, |nullable| one_of(nullable, LeadStatus::ALL.map(LeadStatus::as_str))
);
field!(
    /// A pipeline stage, by its name (English aliases are read too).
    pipeline_stage, pipeline_stage_or_null, |nullable| one_of(nullable, PipelineStage::ALL.map(PipelineStage::as_str))
);
field!(
    /// A role.
    role, role_or_null, |nullable| one_of(nullable, Role::ALL.map(Role::as_str))
);

fn tag_text(nullable: bool) -> Object {
    string(nullable)
        .min_length(Some(1))
        .max_length(Some(50))
        .pattern(Some(TAG))
        .build()
}

/// A tag: 1 to 50 characters, not blank, no control characters at all (the domain lower-cases it).
fn tag() -> Object {
    tag_text(false)
}

/// One tag, or `null`: not given.
pub fn tag_or_null() -> Object {
    tag_text(true)
}

fn tag_list(nullable: bool) -> Array {
    let schema_type = if nullable {
        SchemaType::Array(vec![Type::Array, Type::Null])
    } else {
        SchemaType::Type(Type::Array)
    };
    ArrayBuilder::new()
        .schema_type(schema_type)
        .items(tag())
        .max_items(Some(Tags::MAX))
        .build()
}

/// A lead's tags: at most 50, each 1 to 50 characters.
pub fn tags() -> Array {
    tag_list(false)
}

/// A lead's tags, or `null`: not given.
pub fn tags_or_null() -> Array {
    tag_list(true)
}

/// The component that [`metadata_or_null`] refers to: any JSON value whose text holds no NUL.
pub const JSON_VALUE: &str = "JsonValue";

/// Free-form key/value data (metadata, settings): a JSON object of at most 16 KiB, or `null`:
/// not given.
pub fn metadata_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Object, Type::Null]))
        .additional_properties(Some(Ref::from_schema_name(JSON_VALUE)))
        .property_names(Some(string(false).pattern(Some(NO_NUL))))
        .description(Some(format!("A JSON object of at most {} bytes", Metadata::MAX_BYTES)))
        .build()
}

/// A field the server refuses whatever its value (the score, which the engine owns): only
/// `null`, which means "not given", is valid.
pub fn refused() -> Object {
    ObjectBuilder::new().schema_type(SchemaType::Type(Type::Null)).build()
}

/// An object in which `field` is given (present and not `null`).
fn given(field: &str) -> Object {
    ObjectBuilder::new()
        .property(field, ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)))
        .required(field)
        .build()
}

/// The schema named `name`, where each of `all` is given and at least one of `any` (when any).
pub fn requiring(name: &str, all: &[&str], any: &[&str]) -> RefOr<Schema> {
    let mut schema = AllOfBuilder::new().item(Ref::from_schema_name(name));
    for field in all {
        schema = schema.item(given(field));
    }
    if !any.is_empty() {
        let mut one = AnyOfBuilder::new();
        for field in any {
            one = one.item(given(field));
        }
        schema = schema.item(one);
    }
    RefOr::T(Schema::AllOf(schema.build()))
}

field!(
    /// A new password: 8 to 128 characters with a digit and a special character.
    new_password, new_password_or_null, |nullable| string(nullable)
        .min_length(Some(8))
        .max_length(Some(128))
        .pattern(Some(PASSWORD))
        .build()
);
field!(
    /// A password to compare with the stored one.
    password, password_or_null, |nullable| string(nullable).min_length(Some(1)).max_length(Some(128)).build()
);
field!(
    /// A username.
    username, username_or_null, |nullable| string(nullable).pattern(Some(USERNAME)).build()
);
field!(
    /// A token that was mailed (registration, password reset).
    token, token_or_null, |nullable| string(nullable).min_length(Some(1)).max_length(Some(256)).build()
);

field!(
    /// A channel to reach a lead on.
    channel, channel_or_null, |nullable| one_of(nullable, ["sms", "email"])
);
field!(
    /// The kind of a placed call: only `outbound` (inbound calls arrive by webhook).
    outbound, outbound_or_null, |nullable| one_of(nullable, ["outbound"])
);

field!(
    /// A message's delivery status: only `sent` is tracked.
    sent, sent_or_null, |nullable| one_of(nullable, ["sent"])
);
field!(
    /// A call's status.
    call_status, call_status_or_null, |nullable| one_of(nullable, ["queued", "in_progress", "completed", "failed"])
);
field!(
    /// An appointment's status.
    appointment_status, appointment_status_or_null, |nullable| one_of(
        nullable,
        ["scheduled", "confirmed", "completed", "cancelled", "no_show"]
    )
);
field!(
    /// A sequence's status.
    sequence_status, sequence_status_or_null, |nullable| one_of(nullable, ["active", "completed", "stopped"])
);

field!(
    /// A lead's tier (any case).
    tier, tier_or_null, |nullable| one_of(nullable, ["hot", "warm", "cold", "HOT", "WARM", "COLD"])
);

field!(
    /// A stated budget (`high`, `medium`, `low`, and their other spellings).
    budget, budget_or_null, |nullable| one_of(
        nullable,
        leadstream_domain::scoring::BudgetLevel::SPELLINGS.map(|(spelling, _)| spelling)
    )
);
field!(
    /// A stated timeline (`immediate`, `short_term`, `long_term`, and their other spellings).
    timeline, timeline_or_null, |nullable| one_of(
        nullable,
        leadstream_domain::scoring::Timeline::SPELLINGS.map(|(spelling, _)| spelling)
    )
);

field!(
    /// The CRM a lead is routed to.
    crm, crm_or_null, |nullable| one_of(nullable, ["hubspot", "salesforce", "HubSpot", "Salesforce"])
);
field!(
    /// A campaign's status a client may set.
    campaign_status, campaign_status_or_null, |nullable| one_of(nullable, ["active", "paused"])
);

/// An instant: an RFC 3339 time, or a date (its start or end, as the field says).
pub fn instant() -> RefOr<Schema> {
    RefOr::T(Schema::AnyOf(
        AnyOfBuilder::new()
            .item(formatted(false, KnownFormat::DateTime, DATE_TIME))
            .item(formatted(false, KnownFormat::Date, DATE))
            .build(),
    ))
}

/// A string of a known format, with the pattern that asserts it (OpenAPI 3.1's `format` alone
/// asserts nothing).
fn formatted(nullable: bool, format: KnownFormat, pattern: &str) -> Object {
    string(nullable)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .pattern(Some(pattern))
        .build()
}

field!(
    /// A calendar date, `YYYY-MM-DD`.
    date, date_or_null, |nullable| formatted(nullable, KnownFormat::Date, DATE)
);
field!(
    /// An RFC 3339 time.
    date_time, date_time_or_null, |nullable| formatted(nullable, KnownFormat::DateTime, DATE_TIME)
);
field!(
    /// A status an appointment can be moved to.
    appointment_change, appointment_change_or_null, |nullable| one_of(
        nullable,
        ["confirmed", "completed", "cancelled", "no_show"]
    )
);

field!(
    /// An http(s) URL of at most 2,048 characters, without spaces.
    http_url, http_url_or_null, |nullable| string(nullable)
        .max_length(Some(2048))
        .pattern(Some("^https?://[!-~]+$"))
        .build()
);
field!(
    /// A batch's priority.
    priority, priority_or_null, |nullable| one_of(nullable, ["low", "normal", "high"])
);

/// A list of at least one JSON object whose text holds no NUL (batch items, each checked later).
pub fn objects() -> Array {
    let object = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .additional_properties(Some(Ref::from_schema_name(JSON_VALUE)))
        .property_names(Some(string(false).pattern(Some(NO_NUL))));
    ArrayBuilder::new()
        .schema_type(SchemaType::Type(Type::Array))
        .items(object)
        .min_items(Some(1))
        .build()
}

/// A sequence's touchpoint days, or `null` (the default schedule): distinct days 1 to 365 after
/// the start, in any order.
pub fn touchpoint_days_or_null() -> Array {
    let day = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .minimum(Some(1))
        .maximum(Some(365));
    ArrayBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Array, Type::Null]))
        .items(day)
        .min_items(Some(1))
        .max_items(Some(365))
        .unique_items(true)
        .build()
}

/// A scoring weight: 0 to 1, relative to the others.
pub fn weight() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Number))
        .minimum(Some(0))
        .maximum(Some(1))
        .build()
}

/// An uploaded CSV file, as a form part: its text, holding no NUL.
pub fn csv_file() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .content_media_type("text/csv")
        .pattern(Some(NO_NUL))
        .build()
}

/// A call's language as the domain reads it: `en` or `es` (also `english`, `spanish`,
/// `español`, any case), alone or as a locale such as `es-CL`.
const LANGUAGE: &str = "^\\s*([Ee][Nn]([Gg][Ll][Ii][Ss][Hh])?|[Ee][Ss]|[Ss][Pp][Aa][Nn][Ii][Ss][Hh]|[Ee][Ss][Pp][Aa][NnÑñ][Oo][Ll])([-_][^\\u0000]*)?$";

field!(
    /// A call's language: `en` or `es`, or a locale such as `es-CL`.
    language, language_or_null, |nullable| string(nullable).pattern(Some(LANGUAGE)).build()
);

/// Seed 004's voice settings, or `null`: free-form, but a `language` in it is a call language.
pub fn voice_settings_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Object, Type::Null]))
        .property("language", language())
        .additional_properties(Some(Ref::from_schema_name(JSON_VALUE)))
        .property_names(Some(string(false).pattern(Some(NO_NUL))))
        .build()
}
