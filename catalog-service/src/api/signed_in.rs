//! The signed-in caller of a personal route (favourites, playlists, the
//! play queue): the shared [`Caller`] narrowed to a user id.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use common::caller::Caller;

use super::CatalogError;
use crate::domain::user::UserId;

/// A handler taking `SignedIn` is only reached by a signed-in user;
/// anyone else gets 401 `sign_in_required`.
pub struct SignedIn(pub UserId);

impl FromRequest for SignedIn {
    type Error = CatalogError;
    type Future = Ready<Result<Self, CatalogError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = Caller::from_headers(req.headers())
            .user
            .and_then(|user| UserId::try_from(user.as_str()).ok());
        ready(user.map(Self).ok_or(CatalogError::SignInRequired))
    }
}
