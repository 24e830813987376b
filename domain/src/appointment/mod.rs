//! The Appointment aggregate: a meeting between a lead and an agent, from booking to held,
//! missed or cancelled, with its reminders; and the tenant's business hours that bound when one
//! can be booked.

mod aggregate;
mod business_hours;
mod events;

pub use aggregate::{
    Appointment, AppointmentAction, AppointmentCommand, AppointmentError, AppointmentStatus, ReminderTrigger,
    ScheduleAppointment, DEFAULT_REMINDERS_MINUTES,
};
pub use business_hours::{available_slots, time_zone_names, BusinessHours, OpeningHours, Slot, SlotQuery, WEEKDAYS};
pub use events::*;

#[cfg(test)]
mod tests;
