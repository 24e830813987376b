//! What the local mail provider recorded (the `sent_mail` table): for an operator trying the
//! service without a mail provider, and for the tests and the bench, which read the tokens that
//! registration and password resets mail.

use sqlx::PgPool;

/// The newest mail recorded for `to`, and how many there are.
pub async fn newest_mail(pool: &PgPool, to: &str) -> Result<(i64, Option<String>), sqlx::Error> {
    sqlx::query_as("SELECT count(*), (array_agg(body ORDER BY id DESC))[1] FROM sent_mail WHERE recipient = $1")
        .bind(to.trim().to_lowercase())
        .fetch_one(pool)
        .await
}

/// The token a registration or reset mail holds: its line of 43 URL-safe characters.
pub fn token_in(body: &str) -> Option<&str> {
    body.lines()
        .map(str::trim)
        .find(|line| line.len() == 43 && line.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// Waits (at most `limit`) for a mail to `to` beyond the `seen` already there, and returns its
/// body. Mail goes out in the background, after the answer.
pub async fn wait_for_mail(pool: &PgPool, to: &str, seen: i64, limit: std::time::Duration) -> Option<String> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Ok((count, Some(body))) = newest_mail(pool, to).await {
            if count > seen {
                return Some(body);
            }
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_line_of_43_url_safe_characters() {
        let token = "a".repeat(40) + "-_Z";
        let body = format!("Send this token to POST /x within 24 hours:\n\n{token}\n\nIgnore it otherwise.");
        assert_eq!(token_in(&body), Some(token.as_str()));
        assert_eq!(token_in("no token here"), None);
    }
}
