use serde::{Deserialize, Serialize};

use crate::values::AgentId;

/// Which of its tenant's leads a caller may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeadAccess {
    /// Admins: every lead of the tenant.
    WholeTenant,
    /// An agent: only the leads assigned to it. A lead it creates is assigned to it, and it may
    /// not reassign.
    AssignedTo(AgentId),
}

impl LeadAccess {
    /// Whether a lead assigned to `assignee` is within reach.
    pub fn reaches(&self, assignee: Option<AgentId>) -> bool {
        match self {
            LeadAccess::WholeTenant => true,
            LeadAccess::AssignedTo(agent) => assignee == Some(*agent),
        }
    }
}
