use futures::future::BoxFuture;
use sqlx::PgPool;

/// One message to one recipient.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Sends mail. A real provider (SMTP, an e-mail API) plugs in here.
pub trait Mailer: Send + Sync {
    /// Hands `mail` to the provider.
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// The local default: delivers nothing and records every message in the `sent_mail` table, so
/// an operator (or a test) can read what would have gone out.
pub struct RecordingMailer {
    pool: PgPool,
}

impl RecordingMailer {
    /// Records into `pool`'s `sent_mail` table.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl Mailer for RecordingMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            sqlx::query("INSERT INTO sent_mail (recipient, subject, body) VALUES ($1, $2, $3)")
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.body)
                .execute(&self.pool)
                .await?;
            tracing::info!(to = %mail.to, subject = %mail.subject, "mail recorded (local mail provider)");
            Ok(())
        })
    }
}
