//! The signed-in caller of a personal route (favourites, playlists, the
//! play queue), read from `x-tonearm-user` as the gateway sets it.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use common::identity::Identity;

use super::CatalogError;
use crate::domain::user::UserId;

/// A handler taking `Caller` is only reached by a signed-in user;
/// anyone else gets 401 `sign_in_required`.
pub struct Caller(pub UserId);

impl FromRequest for Caller {
    type Error = CatalogError;
    type Future = Ready<Result<Self, CatalogError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = Identity::from_headers(req.headers())
            .user
            .and_then(|user| UserId::try_from(user.as_str()).ok());
        ready(user.map(Self).ok_or(CatalogError::SignInRequired))
    }
}
