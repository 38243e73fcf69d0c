//! Accounts in PostgreSQL (`gateway_users`).

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

use super::Role;

/// A user name: 1 to 64 of `a-z 0-9 . _ -`, compared in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl TryFrom<&str> for Username {
    type Error = String;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let lower = value.trim().to_ascii_lowercase();
        let valid = (1..=64).contains(&lower.len())
            && lower
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Self(lower))
        } else {
            Err("username: expected 1 to 64 letters, digits, '.', '_' or '-'".into())
        }
    }
}

impl Username {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 256 characters.
pub fn check_new_password(value: &str) -> Result<(), String> {
    match value.chars().count() {
        8..=256 => Ok(()),
        _ => Err("password: expected 8 to 256 characters".into()),
    }
}

/// One account as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An account as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn role(&self) -> Role {
        // The table's CHECK constraint allows only these two.
        if self.role == "admin" {
            Role::Admin
        } else {
            Role::Listener
        }
    }

    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            username: self.username.clone(),
            role: self.role(),
            disabled: self.disabled,
            created_at: self.created_at,
        }
    }
}

const COLUMNS: &str = "id, username, role, password_hash, disabled, created_at";

/// Reads and writes accounts.
#[derive(Clone)]
pub struct UserStore {
    pool: PgPool,
}

impl UserStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Inserts an account; `None` when the name is taken.
    pub async fn insert<'e>(
        executor: impl PgExecutor<'e>,
        username: &str,
        role: Role,
        password_hash: &str,
    ) -> anyhow::Result<Option<User>> {
        sqlx::query_as::<_, User>(&format!(
            "INSERT INTO gateway_users (id, username, role, password_hash) VALUES ($1, $2, $3, $4)
             ON CONFLICT (username) DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(Uuid::now_v7())
        .bind(username)
        .bind(role.as_str())
        .bind(password_hash)
        .fetch_optional(executor)
        .await
        .context("inserting a user")
    }

    pub async fn create(&self, username: &Username, role: Role, hash: &str) -> anyhow::Result<Option<User>> {
        Self::insert(&self.pool, username.as_str(), role, hash).await
    }

    pub async fn by_name(&self, username: &Username) -> anyhow::Result<Option<User>> {
        sqlx::query_as::<_, User>(&format!(
            "SELECT {COLUMNS} FROM gateway_users WHERE username = $1"
        ))
        .bind(username.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("reading a user")
    }

    pub async fn by_id(&self, id: Uuid) -> anyhow::Result<Option<User>> {
        sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM gateway_users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a user")
    }

    pub async fn list(&self) -> anyhow::Result<Vec<User>> {
        sqlx::query_as::<_, User>(&format!("SELECT {COLUMNS} FROM gateway_users ORDER BY username"))
            .fetch_all(&self.pool)
            .await
            .context("listing users")
    }

    /// Changes role and/or the disabled flag; `None` when there is no such user.
    pub async fn update(
        &self,
        id: Uuid,
        role: Option<Role>,
        disabled: Option<bool>,
    ) -> anyhow::Result<Option<User>> {
        sqlx::query_as::<_, User>(&format!(
            "UPDATE gateway_users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled),
             updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(role.map(Role::as_str))
        .bind(disabled)
        .fetch_optional(&self.pool)
        .await
        .context("updating a user")
    }

    pub async fn set_password(&self, id: Uuid, hash: &str) -> anyhow::Result<bool> {
        let result =
            sqlx::query("UPDATE gateway_users SET password_hash = $2, updated_at = now() WHERE id = $1")
                .bind(id)
                .bind(hash)
                .execute(&self.pool)
                .await
                .context("changing a password")?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn delete(&self, id: Uuid) -> anyhow::Result<bool> {
        let result = sqlx::query("DELETE FROM gateway_users WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .context("deleting a user")?;
        Ok(result.rows_affected() == 1)
    }

    /// Enabled admins other than `except`: an admin may not remove the last one.
    pub async fn other_active_admins(&self, except: Uuid) -> anyhow::Result<i64> {
        sqlx::query_scalar(
            "SELECT count(*) FROM gateway_users WHERE role = 'admin' AND NOT disabled AND id <> $1",
        )
        .bind(except)
        .fetch_one(&self.pool)
        .await
        .context("counting admins")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(Username::try_from(" Alice ").expect("valid").as_str(), "alice");
        assert!(Username::try_from("").is_err());
        assert!(Username::try_from("a b").is_err());
        assert!(Username::try_from("x".repeat(65).as_str()).is_err());
    }

    #[test]
    fn new_passwords_need_eight_characters() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
    }
}
