//! The parts of Last.fm answers Tonearm shows, in one shape for tracks,
//! albums and artists.

use serde_json::{Map, Value, json};

/// `{summary, tags, images, listeners, playcount, url, similar}` from the
/// object under `root` (`track`, `album` or `artist`).
pub fn details(answer: &Value, root: &str) -> Value {
    let object = &answer[root];
    let mut out = Map::new();
    let summary = ["wiki", "bio"]
        .iter()
        .find_map(|key| object[key]["summary"].as_str())
        .map(strip_read_more);
    out.insert("summary".into(), summary.map_or(Value::Null, Value::from));
    out.insert(
        "tags".into(),
        Value::from(
            names(&object["tags"]["tag"])
                .or_else(|| names(&object["toptags"]["tag"]))
                .unwrap_or_default(),
        ),
    );
    out.insert(
        "images".into(),
        images(object)
            .or_else(|| images(&object["album"]))
            .unwrap_or(json!({})),
    );
    let stats = if object["stats"].is_object() {
        &object["stats"]
    } else {
        object
    };
    out.insert("listeners".into(), number(&stats["listeners"]));
    out.insert("playcount".into(), number(&stats["playcount"]));
    out.insert("url".into(), object["url"].clone());
    if let Some(similar) = names(&object["similar"]["artist"]) {
        out.insert("similar_artists".into(), Value::from(similar));
    }
    Value::Object(out)
}

/// Last.fm writes numbers as strings.
fn number(value: &Value) -> Value {
    match value {
        Value::String(text) => text.parse::<i64>().map_or(Value::Null, Value::from),
        Value::Number(_) => value.clone(),
        _ => Value::Null,
    }
}

fn names(list: &Value) -> Option<Vec<String>> {
    let list = match list {
        Value::Array(items) => items.clone(),
        Value::Object(_) => vec![list.clone()],
        _ => return None,
    };
    Some(
        list.iter()
            .filter_map(|item| item["name"].as_str().map(str::to_owned))
            .collect(),
    )
}

/// `{"small": url, "large": url, ...}`, skipping Last.fm's empty entries.
fn images(object: &Value) -> Option<Value> {
    let list = object["image"].as_array()?;
    let map: Map<String, Value> = list
        .iter()
        .filter_map(|image| {
            let url = image["#text"].as_str().filter(|url| !url.is_empty())?;
            Some((
                image["size"].as_str().unwrap_or("default").to_owned(),
                Value::from(url),
            ))
        })
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

/// Summaries end with an HTML "Read more on Last.fm" link.
fn strip_read_more(summary: &str) -> String {
    summary
        .split("<a href=")
        .next()
        .unwrap_or(summary)
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artist_answers_are_shaped() {
        let answer = json!({"artist": {
            "name": "Björk", "url": "https://www.last.fm/music/Bj%C3%B6rk",
            "image": [{"#text": "", "size": "small"}, {"#text": "https://i/x.png", "size": "large"}],
            "stats": {"listeners": "2000", "playcount": "90000"},
            "similar": {"artist": [{"name": "Röyksopp"}]},
            "tags": {"tag": [{"name": "electronic"}]},
            "bio": {"summary": "Icelandic singer. <a href=\"https://www.last.fm\">Read more on Last.fm</a>"}
        }});
        let details = details(&answer, "artist");
        assert_eq!(details["summary"], "Icelandic singer.");
        assert_eq!(details["listeners"], 2000);
        assert_eq!(details["tags"], json!(["electronic"]));
        assert_eq!(details["images"], json!({"large": "https://i/x.png"}));
        assert_eq!(details["similar_artists"], json!(["Röyksopp"]));
    }
}
