//! Appointments: the Appointment aggregate's service, which holds the agent's time (no double
//! booking) and the reminders' work queue beside its events, and tells the lead it was booked;
//! and the tenant's business hours.

mod appointment_service;
mod business_hours_store;
mod reminders;

pub use appointment_service::{AppointmentFailure, AppointmentService};
pub use business_hours_store::BusinessHoursStore;
pub use reminders::{send_reminder, Reminder, ReminderFailure};
