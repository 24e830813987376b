//! HTTP routes of the write side, and of identity.

mod api_keys;
pub(crate) mod appointments;
mod auth;
mod batches;
mod calls;
mod campaigns;
mod command_response;
mod identity_requests;
mod inbound_webhooks;
mod lead_import;
mod lead_requests;
mod leads;
mod messages;
pub(crate) mod qualification;
pub(crate) mod qualification_requests;
mod scoring_weights;
mod sequences;
mod users;

use actix_web::web::{self, ServiceConfig};
use leadstream_api_conventions::{register_routes, ApiRoute};

pub use batches::BatchLimits;
pub use lead_import::ImportLimits;

use crate::batch::{BatchEventStore, BatchJobs, BatchStatus};
use crate::identity::{IdentityService, UserView};
use crate::integrations::Integrations;
use crate::scoring::{StoredWeights, WeightsStore};
use crate::LeadCommandService;

/// The anonymous routes that check a password or a token: rate limited per IP more tightly
/// than the rest, before any password hash is computed.
pub const CREDENTIAL_ROUTES: &[&str] = &[
    "/api/v1/auth/register",
    "/api/v1/auth/confirm",
    "/api/v1/auth/login",
    "/api/v1/auth/forgot-password",
    "/api/v1/auth/reset-password",
];

/// Every route the command side serves, documented.
pub fn routes() -> Vec<ApiRoute> {
    use api_keys::{ApiKeyList, CreatedKeyAnswer};
    use auth::{MeAnswer, MessageAnswer, TokenAnswer};
    use command_response::CommandAnswer;
    use identity_requests::*;
    use lead_requests::*;
    use qualification::QualifyAnswer;
    use qualification_requests::*;
    use users::{UserListQuery, UserPage};

    let lead_command = |route: ApiRoute| route.answers::<CommandAnswer>(200).may_conflict();
    vec![
        ApiRoute::post("/api/v1/auth/register", auth::register)
            .summary("Register a tenant (business or broker) and its first admin: the same 202 for every address; the token that confirms it is mailed")
            .public()
            .accepts::<RegisterRequest>()
            .answers::<MessageAnswer>(202),
        ApiRoute::post("/api/v1/auth/confirm", auth::confirm)
            .summary("Confirm a registration with the mailed token: creates the tenant and its admin, logged in")
            .public()
            .accepts::<ConfirmRegistrationRequest>()
            .answers::<TokenAnswer>(201)
            .may_conflict(),
        ApiRoute::post("/api/v1/auth/login", auth::login)
            .summary("Log in by e-mail or username; returns a bearer token")
            .public()
            .accepts::<LoginRequest>()
            .needs_one_of(&["email", "username"])
            .answers::<TokenAnswer>(200),
        ApiRoute::get("/api/v1/auth/me", auth::me)
            .reads_store()
            .summary("The caller's profile, tenant and role")
            .answers::<MeAnswer>(200),
        ApiRoute::post("/api/v1/auth/forgot-password", auth::forgot_password)
            .summary("Mail a single-use reset token (the answer is the same for unknown addresses)")
            .public()
            .accepts::<ForgotPasswordRequest>()
            .answers::<MessageAnswer>(202),
        ApiRoute::post("/api/v1/auth/reset-password", auth::reset_password)
            .summary("Set a new password with a reset token; older sessions end")
            .public()
            .accepts::<ResetPasswordRequest>()
            .answers::<MessageAnswer>(200),
        ApiRoute::post("/api/v1/users", users::create)
            .summary("Add a user to the tenant (admins; never above the caller's role)")
            .accepts::<CreateUserRequest>()
            .answers::<UserView>(201)
            .may_conflict(),
        ApiRoute::get("/api/v1/users", users::list)
            .reads_store()
            .summary("The tenant's users (admins)")
            .query::<UserListQuery>()
            .answers::<UserPage>(200),
        ApiRoute::get("/api/v1/users/{id}", users::get)
            .reads_store()
            .summary("One user (yourself, or anyone for admins)")
            .answers::<UserView>(200),
        ApiRoute::put("/api/v1/users/{id}", users::update)
            .summary("Change a user: name, username, password; role and activation by those who outrank them")
            .accepts::<UpdateUserRequest>()
            .answers::<UserView>(200)
            .may_conflict(),
        ApiRoute::patch("/api/v1/users/{id}", users::update)
            .summary("Same as PUT")
            .accepts::<UpdateUserRequest>()
            .answers::<UserView>(200)
            .may_conflict(),
        ApiRoute::post("/api/v1/api-keys", api_keys::create)
            .summary("Create an API key acting as the caller; the key is shown once")
            .accepts::<CreateApiKeyRequest>()
            .answers::<CreatedKeyAnswer>(201),
        ApiRoute::get("/api/v1/api-keys", api_keys::list)
            .reads_store()
            .summary("List API keys by prefix (admins: the tenant's; agents: their own)")
            .answers::<ApiKeyList>(200),
        ApiRoute::delete("/api/v1/api-keys/{id}", api_keys::revoke)
            .summary("Revoke an API key, at once")
            .answers_empty(204),
        ApiRoute::post("/api/v1/leads", leads::create)
            .summary("Create a lead (an agent's lead is assigned to it)")
            .accepts::<CreateLeadRequest>()
            .answers::<CommandAnswer>(201)
            .may_conflict(),
        ApiRoute::post("/api/v1/leads/import", lead_import::import)
            .summary("Import leads from a CSV; answers the imported, duplicate and invalid counts with line numbers")
            .accepts_upload::<lead_import::ImportForm>("text/csv")
            .answers::<lead_import::ImportAnswer>(200),
        lead_command(ApiRoute::patch("/api/v1/leads/{id}", leads::update))
            .summary("Partially update a lead; `If-Match: \"<version>\"` makes it conditional")
            .accepts::<UpdateLeadRequest>(),
        lead_command(ApiRoute::put("/api/v1/leads/{id}", leads::update))
            .summary("Same as PATCH")
            .accepts::<UpdateLeadRequest>(),
        ApiRoute::delete("/api/v1/leads/{id}", leads::erase)
            .summary("Erase a lead: its personal data leaves every read model")
            .answers_empty(204)
            .may_conflict(),
        lead_command(ApiRoute::put("/api/v1/leads/{id}/assign", leads::assign))
            .summary("Assign to an active user of the tenant (admins)")
            .accepts::<AssignRequest>(),
        lead_command(ApiRoute::put("/api/v1/leads/{id}/pipeline", leads::move_stage))
            .summary("Move the lead to a pipeline stage")
            .accepts::<MoveStageRequest>(),
        lead_command(ApiRoute::put("/api/v1/leads/{id}/status", leads::change_status))
            .summary("Change the lead's status")
            .accepts::<ChangeStatusRequest>(),
        lead_command(ApiRoute::post("/api/v1/leads/{id}/activities", leads::log_activity))
            .summary("Log an activity on the lead's timeline")
            .accepts::<LogActivityRequest>()
            .answers::<CommandAnswer>(201),
        lead_command(ApiRoute::post("/api/v1/leads/{id}/notes", leads::add_note))
            .summary("Add a note")
            .accepts::<AddNoteRequest>()
            .answers::<CommandAnswer>(201),
        lead_command(ApiRoute::post("/api/v1/leads/{id}/tags", leads::add_tags))
            .summary("Add tags (at most 50 in all)")
            .accepts::<AddTagsRequest>(),
        lead_command(ApiRoute::post("/api/v1/leads/{id}/score", leads::rescore)).summary(
            "Score the lead again with the tenant's current weights; the answer's lead carries the score card",
        ),
        lead_command(ApiRoute::post("/api/v1/leads/{id}/recalculate", leads::rescore)).summary("Same as /score"),
        lead_command(ApiRoute::post(
            "/api/v1/leads/{id}/qualify",
            qualification::qualify_lead,
        ))
        .summary("Qualify with stated criteria (budget, timeline, decision maker), enrich, and rescore")
        .accepts::<QualifyLeadRequest>(),
        ApiRoute::post("/api/v1/qualify", qualification::qualify_new)
            .summary("Create, enrich and qualify one inbound lead in one call (seed 001's answer)")
            .accepts::<QualifyRequest>()
            .answers::<QualifyAnswer>(200),
        ApiRoute::post("/api/v1/batch/qualify", batches::submit)
            .summary("Qualify many leads in the background; answers 202 with the batch's status URL")
            .accepts::<batches::BatchQualifyRequest>()
            .answers::<batches::BatchAccepted>(202),
        ApiRoute::get("/api/v1/batch/{id}/status", batches::status)
            .reads_store()
            .summary("A batch's progress (processed, failed) and its results so far")
            .answers::<BatchStatus>(200),
        lead_command(ApiRoute::post("/api/v1/crm/sync", qualification::crm_sync))
            .summary("Send a lead to a CRM (hubspot, salesforce); records lead.routed with the CRM's id")
            .accepts::<CrmSyncRequest>(),
        ApiRoute::post("/api/v1/sms", messages::send_sms)
            .summary("Send an SMS to a lead (its own phone unless `phone` is given); recorded as lead.message_sent")
            .accepts::<messages::SmsRequest>()
            .answers::<messages::MessageAnswer>(201),
        ApiRoute::post("/api/v1/emails", messages::send_email)
            .summary("Send an e-mail to a lead (its own address unless `to` is given); recorded as lead.message_sent")
            .accepts::<messages::EmailRequest>()
            .answers::<messages::MessageAnswer>(201),
        ApiRoute::post("/api/v1/sequences/start", sequences::start)
            .summary("Start a nurture sequence for a lead (touchpoints at days 3, 7 and 30 unless given)")
            .accepts::<sequences::StartRequest>()
            .answers::<crate::sequences::SequenceView>(201),
        ApiRoute::post("/api/v1/sequences/stop", sequences::stop)
            .summary("Stop a sequence, or every active sequence of a lead; its remaining touchpoints are cancelled")
            .accepts::<sequences::StopRequest>()
            .needs_one_of(&["sequence_id", "lead_id"])
            .answers::<sequences::SequenceList>(200),
        ApiRoute::get("/api/v1/sequences", sequences::list)
            .reads_store()
            .summary("The tenant's sequences with their touchpoints (filters `lead_id`, `status`)")
            .query::<sequences::SequenceListParams>()
            .answers::<sequences::SequenceList>(200),
        ApiRoute::post("/api/v1/calls", calls::create)
            .summary("Place an outbound AI call to a lead (its own phone unless `phone_number` is given); queued until answered")
            .accepts::<calls::CreateCallRequest>()
            .answers::<calls::CallAnswer>(201),
        ApiRoute::post("/api/v1/calls/{id}/start", calls::start)
            .summary("The lead answered: the assistant opens (answers `opening_message`)")
            .answers::<calls::CallAnswer>(200)
            .may_conflict(),
        ApiRoute::post("/api/v1/calls/{id}/respond", calls::respond)
            .summary("What the customer said: answers the assistant's reply and the turn's sentiment, intent, objections and interest signals")
            .accepts::<calls::RespondRequest>()
            .answers::<calls::CallAnswer>(200)
            .may_conflict(),
        ApiRoute::post("/api/v1/calls/{id}/end", calls::end)
            .summary("Hang up: a held call answers its summary and analytics; a failure reason fails it")
            .accepts::<calls::EndCallRequest>()
            .body_optional()
            .answers::<calls::CallAnswer>(200)
            .may_conflict(),
        ApiRoute::post("/api/v1/webhooks/inbound/{provider}", inbound_webhooks::receive)
            .summary("A provider's event (vapi, retell, telnyx, whatsapp, ghl), signed with the tenant's secret (HMAC-SHA256 of the body); `tenant_id` in the query")
            .public()
            .query::<inbound_webhooks::InboundParams>()
            .answers::<inbound_webhooks::InboundAnswer>(200),
        ApiRoute::get("/api/v1/webhooks/inbound/{provider}", inbound_webhooks::verify_subscription)
            .summary("WhatsApp's verification handshake: echoes `hub.challenge` when `hub.verify_token` matches")
            .public()
            .query::<inbound_webhooks::VerifyParams>()
            .answers_media("text/plain"),
        ApiRoute::put("/api/v1/webhooks/inbound/{provider}/secret", inbound_webhooks::set_secret)
            .summary("Set or rotate the tenant's secret for a provider's webhooks (admins); answers the webhook URL")
            .accepts::<inbound_webhooks::SecretRequest>()
            .answers::<inbound_webhooks::SecretAnswer>(200),
        ApiRoute::post("/api/v1/appointments", appointments::create)
            .summary("Book an appointment with a lead (refused when the agent is booked then); moves the lead to `agendado`")
            .accepts::<appointments::CreateAppointmentRequest>()
            .answers::<appointments::AppointmentAnswer>(201)
            .may_conflict(),
        ApiRoute::put("/api/v1/appointments/{id}", appointments::update)
            .summary("Reschedule, change type, notes or location, or set the status (confirmed, completed, cancelled, no_show)")
            .accepts::<appointments::UpdateAppointmentRequest>()
            .answers::<appointments::AppointmentAnswer>(200)
            .may_conflict(),
        ApiRoute::delete("/api/v1/appointments/{id}", appointments::cancel)
            .summary("Cancel an appointment; the agent's time is free again")
            .answers::<appointments::AppointmentAnswer>(200)
            .may_conflict(),
        ApiRoute::post("/api/v1/appointments/{id}/remind", appointments::remind)
            .summary("Send the lead a reminder now, by sms or email")
            .accepts::<appointments::RemindRequest>()
            .body_optional()
            .answers::<appointments::AppointmentAnswer>(200)
            .may_conflict(),
        ApiRoute::get("/api/v1/settings/business-hours", appointments::business_hours)
            .reads_store()
            .summary("The tenant's time zone and opening hours per weekday (defaults: Monday to Friday 09:00–17:00 UTC)")
            .answers::<appointments::BusinessHoursBody>(200),
        ApiRoute::put("/api/v1/settings/business-hours", appointments::set_business_hours)
            .summary("Set the tenant's time zone and opening hours (admins)")
            .accepts::<appointments::BusinessHoursBody>()
            .answers::<appointments::BusinessHoursBody>(200),
        ApiRoute::post("/api/v1/campaigns", campaigns::create)
            .summary("Create a campaign: reusable steps (day, channel, message with `{{name}}`) (admins)")
            .accepts::<campaigns::CreateCampaignRequest>()
            .answers::<crate::campaigns::CampaignView>(201),
        ApiRoute::get("/api/v1/campaigns", campaigns::list)
            .reads_store()
            .summary("The tenant's campaigns with their steps")
            .answers::<campaigns::CampaignList>(200),
        ApiRoute::get("/api/v1/campaigns/{id}", campaigns::get)
            .reads_store()
            .summary("One campaign with its steps")
            .answers::<crate::campaigns::CampaignView>(200),
        ApiRoute::put("/api/v1/campaigns/{id}", campaigns::update)
            .summary("Rename, describe, pause or resume a campaign (admins)")
            .accepts::<campaigns::UpdateCampaignRequest>()
            .answers::<crate::campaigns::CampaignView>(200),
        ApiRoute::delete("/api/v1/campaigns/{id}", campaigns::delete)
            .summary("Archive a campaign (admins); the sequences it started run on")
            .answers_empty(204),
        ApiRoute::post("/api/v1/campaigns/{id}/steps", campaigns::add_step)
            .summary("Add a step (a step on the same day is replaced) (admins)")
            .accepts::<campaigns::StepRequest>()
            .answers::<crate::campaigns::CampaignView>(201),
        ApiRoute::post("/api/v1/campaigns/{id}/apply", campaigns::apply)
            .summary("Start the campaign's sequence for each selected lead (by id or the list's filters; at most 500)")
            .accepts::<campaigns::ApplyRequest>()
            .needs_one_of(&["lead_ids", "status", "tier", "source", "pipeline_stage", "tag"])
            .answers::<campaigns::ApplyAnswer>(200)
            .may_conflict(),
        ApiRoute::get("/api/v1/campaigns/{id}/logs", campaigns::logs)
            .reads_store()
            .summary("The campaign's sequences and each touchpoint's state (pending, sent, cancelled)")
            .answers::<campaigns::CampaignLogs>(200),
        ApiRoute::get("/api/v1/scoring/weights", scoring_weights::current)
            .reads_store()
            .summary("The tenant's current scoring weights (the defaults are version 1)")
            .answers::<StoredWeights>(200),
        ApiRoute::put("/api/v1/scoring/weights", scoring_weights::change)
            .summary("Set new scoring weights, as a new version (admins)")
            .accepts::<scoring_weights::WeightsRequest>()
            .needs_one_positive(&["company_fit", "intent_signal", "budget_indicator", "urgency", "engagement"])
            .answers::<StoredWeights>(200),
        ApiRoute::get("/api/v1/scoring/weights/{version}", scoring_weights::version)
            .reads_store()
            .summary("One version of the tenant's scoring weights, to explain an older score")
            .answers::<StoredWeights>(200),
    ]
}

/// Everything the command side's handlers use.
#[derive(Clone)]
pub struct CommandServices {
    pub leads: LeadCommandService,
    pub identity: IdentityService,
    pub weights: WeightsStore,
    pub integrations: Integrations,
    pub batch_jobs: BatchJobs,
    pub batch_store: std::sync::Arc<BatchEventStore>,
    pub batch_limits: BatchLimits,
    pub import_limits: ImportLimits,
    pub sequences: crate::sequences::SequenceService,
    pub calls: crate::calls::CallService,
    pub inbound: crate::webhooks::InboundService,
    pub appointments: crate::appointments::AppointmentService,
    pub business_hours: crate::appointments::BusinessHoursStore,
    pub followups: crate::LeadFollowUps,
    pub campaigns: crate::campaigns::CampaignStore,
    /// Where commands read the time (a test sets and advances it).
    pub clock: crate::clock::Clock,
}

/// Registers the command, identity and scoring routes with their services.
pub fn configure(services: CommandServices) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg: &mut ServiceConfig| {
        cfg.app_data(web::Data::new(services.leads))
            .app_data(web::Data::new(services.identity))
            .app_data(web::Data::new(services.weights))
            .app_data(web::Data::new(services.integrations))
            .app_data(web::Data::new(services.batch_jobs))
            .app_data(web::Data::from(services.batch_store))
            .app_data(web::Data::new(services.batch_limits))
            .app_data(web::Data::new(services.import_limits))
            .app_data(web::Data::new(services.sequences))
            .app_data(web::Data::new(services.calls))
            .app_data(web::Data::new(services.inbound))
            .app_data(web::Data::new(services.appointments))
            .app_data(web::Data::new(services.business_hours))
            .app_data(web::Data::new(services.followups))
            .app_data(web::Data::new(services.campaigns))
            .app_data(web::Data::new(services.clock));
        register_routes(cfg, routes());
    }
}
