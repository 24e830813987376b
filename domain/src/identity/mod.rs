//! Who may do what inside a tenant: roles, and the rules for the credentials people choose.

mod password;
mod role;
mod username;

pub use password::NewPassword;
pub use role::Role;
pub use username::Username;

#[cfg(test)]
mod tests;
