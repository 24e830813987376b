//! Voice calls: the Call aggregate's service, which asks the conversation engine for the
//! assistant's side and tells the lead what the call came to.

mod call_service;

pub use call_service::{CallFailure, CallService, NewCall};
