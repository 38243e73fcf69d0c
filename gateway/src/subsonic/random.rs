//! `getRandomSongs`: a random sample from the catalog (`GET songs` with
//! `sort=random`, which draws it in the database).

use serde_json::{Value, json};

use super::{Answer, Call, data, envelope::SubsonicError, shapes};

/// Years the catalog accepts.
const LAST_YEAR: i64 = 9999;

/// `getRandomSongs` (`size` default 10, at most 500; `genre`; `fromYear`,
/// `toYear`, either alone bounding one side): `randomSongs` `{song: [child]}`.
pub async fn songs(call: &Call<'_>) -> Result<Answer, SubsonicError> {
    let size = call.params.count("size", 10, 500).max(1).to_string();
    let mut query: Vec<(&str, String)> = vec![("sort", "random".into()), ("limit", size)];
    if let Some(genre) = call
        .params
        .get("genre")
        .map(str::trim)
        .filter(|genre| !genre.is_empty())
    {
        query.push(("genre", genre.to_owned()));
    }
    if let Some(years) = year_range(call.params.get("fromYear"), call.params.get("toYear")) {
        query.push(("year", years));
    }
    let pairs: Vec<(&str, &str)> = query.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let found = call.catalog().get("songs", &pairs).await?;
    let songs: Vec<Value> = found["items"]
        .as_array()
        .map(|items| items.iter().map(shapes::song).collect())
        .unwrap_or_default();
    Ok(data("randomSongs", json!({ "song": songs })))
}

/// The catalog's `year` filter (`from-to`) for Subsonic's bounds; `None`
/// when neither is a year.
fn year_range(from: Option<&str>, to: Option<&str>) -> Option<String> {
    let year = |text: Option<&str>| {
        text.and_then(|text| text.trim().parse::<i64>().ok())
            .map(|year| year.clamp(0, LAST_YEAR))
    };
    match (year(from), year(to)) {
        (None, None) => None,
        (from, to) => Some(format!("{}-{}", from.unwrap_or(0), to.unwrap_or(LAST_YEAR))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_bound_alone_leaves_the_other_side_open() {
        assert_eq!(
            year_range(Some("1990"), Some("1999")).as_deref(),
            Some("1990-1999")
        );
        assert_eq!(year_range(Some("1990"), None).as_deref(), Some("1990-9999"));
        assert_eq!(year_range(None, Some("1999")).as_deref(), Some("0-1999"));
        assert_eq!(year_range(Some("x"), None), None);
    }
}
