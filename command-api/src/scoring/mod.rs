//! The tenant's scoring configuration.

mod weights_store;

pub use weights_store::{StoredWeights, WeightsStore};
