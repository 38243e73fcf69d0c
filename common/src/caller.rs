//! Who is calling a service, as the gateway tells it (`x-tonearm-user`,
//! `x-tonearm-role`, `x-tonearm-session`; see [`crate::identity`] for how
//! forged headers are refused). Handlers state what they need in their
//! signature: [`Caller`] for anyone, [`Admin`] for admins only (403
//! otherwise), instead of checking headers themselves.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header::HeaderMap};

use crate::ApiError;

/// The headers the gateway sets for every request it forwards.
pub const USER_HEADER: &str = "x-tonearm-user";
pub const ROLE_HEADER: &str = "x-tonearm-role";
pub const SESSION_HEADER: &str = "x-tonearm-session";

/// The caller's role as set by the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Listener,
    Anonymous,
}

/// The caller of a request: user, role and session as the gateway set them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Option<String>,
    pub role: Role,
    pub session: Option<String>,
}

impl Caller {
    /// Reads the identity headers; a missing or unknown role is anonymous.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let role = match text(ROLE_HEADER).as_deref() {
            Some("admin") => Role::Admin,
            Some("listener") => Role::Listener,
            _ => Role::Anonymous,
        };
        Self {
            user: text(USER_HEADER),
            role,
            session: text(SESSION_HEADER),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The caller of `req`: as the identity middleware stored it, else
    /// read from the headers.
    fn of(req: &HttpRequest) -> Self {
        req.extensions()
            .get::<Self>()
            .cloned()
            .unwrap_or_else(|| Self::from_headers(req.headers()))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

/// A caller with the admin role; any other caller gets 403 `forbidden`.
/// Put it first among a handler's arguments, so the refusal comes before
/// the body is read.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl Admin {
    /// The refusal of a caller without the admin role.
    pub fn refusal() -> ApiError {
        ApiError::forbidden("this action needs the admin role")
    }
}

impl TryFrom<Caller> for Admin {
    type Error = ApiError;

    fn try_from(caller: Caller) -> Result<Self, ApiError> {
        if caller.is_admin() {
            Ok(Self(caller))
        } else {
            Err(Self::refusal())
        }
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::try_from(Caller::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn role_of(role: &str) -> Role {
        Caller::from_headers(
            TestRequest::default()
                .insert_header((ROLE_HEADER, role))
                .to_http_request()
                .headers(),
        )
        .role
    }

    #[test]
    fn roles_are_read_from_headers() {
        assert_eq!(role_of("admin"), Role::Admin);
        assert_eq!(role_of("listener"), Role::Listener);
        assert_eq!(role_of("root"), Role::Anonymous);
    }

    #[actix_web::test]
    async fn only_admins_are_admitted_as_admin() {
        let listener = TestRequest::default()
            .insert_header((ROLE_HEADER, "listener"))
            .to_http_request();
        let refused = Admin::extract(&listener).await.expect_err("listener refused");
        assert_eq!(refused.status().as_u16(), 403);

        let admin = TestRequest::default()
            .insert_header((ROLE_HEADER, "admin"))
            .insert_header((USER_HEADER, "ada"))
            .to_http_request();
        let Admin(caller) = Admin::extract(&admin).await.expect("admin admitted");
        assert_eq!(caller.user.as_deref(), Some("ada"));
    }
}
