//! leadstream's composition root: settings, the local broker, and the three parts (command
//! API with its relay, query API, projection worker) started alone or together.

pub mod app;
pub mod bench_env;
pub mod database;
pub mod local_broker;
pub mod local_mail;
pub mod openapi;
pub mod operations;
pub mod settings;
pub mod telemetry;

pub use app::{Parts, RunningApp};
pub use settings::Settings;
