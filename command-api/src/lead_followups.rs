//! Lead commands that follow from what happened elsewhere: a call held, an appointment booked,
//! a message received, a touchpoint sent. They act for the whole tenant, with its current
//! scoring weights, at the instant and under the metadata of the command that caused them.

use leadstream_domain::lead::{LeadAccess, LeadAction, LeadCommand};
use uuid::Uuid;

use crate::scoring::WeightsStore;
use crate::{CommandError, CommandMetadata, CommandOutcome, LeadCommandService};

/// Runs follow-up commands on leads.
#[derive(Clone)]
pub struct LeadFollowUps {
    pub leads: LeadCommandService,
    weights: WeightsStore,
}

impl LeadFollowUps {
    /// Follow-ups through `leads`, scored with the tenants' weights in `weights`.
    pub fn new(leads: LeadCommandService, weights: WeightsStore) -> Self {
        Self { leads, weights }
    }

    /// Runs `action` on lead `lead_id`, as caused by `metadata`'s command.
    pub async fn run(
        &self,
        lead_id: Uuid,
        action: LeadAction,
        metadata: &CommandMetadata,
    ) -> Result<CommandOutcome, CommandError> {
        let weights = self
            .weights
            .current(metadata.tenant_id.0)
            .await
            .map_err(|e| CommandError::Store(e.to_string()))?
            .weights();
        let command = LeadCommand {
            tenant_id: metadata.tenant_id,
            issued_at: metadata.issued_at,
            access: LeadAccess::WholeTenant,
            weights,
            action,
        };
        self.leads.execute(lead_id, command, None, metadata).await
    }
}
