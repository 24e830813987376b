//! Campaigns (seed 003): a tenant's reusable steps (day, channel, message). Configuration, kept
//! as rows; applying one starts a Sequence per lead, and those are events.

mod campaign_store;

pub use campaign_store::{CampaignStep, CampaignStore, CampaignView};
