//! The XML form of a `/rest` answer read back as the tree of its JSON form,
//! so the two can be compared member by member.

use std::collections::BTreeMap;

use quick_xml::{Reader, events::Event};
use serde_json::Value;

/// The tree of a whole XML answer (its root element).
pub fn tree_of(xml: &str) -> Value {
    let mut reader = Reader::from_str(xml);
    let root = loop {
        match reader.read_event().expect("xml") {
            Event::Start(start) => break xml_tree(&mut reader, &start.into_owned()),
            Event::Eof => panic!("no root element: {xml}"),
            _ => {}
        }
    };
    serde_json::to_value(root).expect("tree")
}

/// An XML element as the JSON form carries it: attributes as text,
/// children by name as lists, the text as `value`.
fn xml_tree(
    reader: &mut Reader<&[u8]>,
    start: &quick_xml::events::BytesStart<'_>,
) -> BTreeMap<String, Value> {
    let mut node = BTreeMap::new();
    for attribute in start.attributes() {
        let attribute = attribute.expect("attribute");
        let key = String::from_utf8(attribute.key.as_ref().to_vec()).expect("utf-8");
        if key != "xmlns" {
            let value = attribute
                .decoded_and_normalized_value(quick_xml::XmlVersion::Explicit1_0, reader.decoder())
                .expect("value")
                .into_owned();
            node.insert(key, Value::String(value));
        }
    }
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(child) => {
                let name = String::from_utf8(child.name().as_ref().to_vec()).expect("utf-8");
                let tree = xml_tree(reader, &child.into_owned());
                let list = node.entry(name).or_insert_with(|| Value::Array(Vec::new()));
                list.as_array_mut()
                    .expect("list")
                    .push(serde_json::to_value(tree).expect("value"));
            }
            Event::Text(text) => {
                let text = text.decode().expect("text").into_owned();
                node.insert("value".into(), Value::String(text));
            }
            Event::GeneralRef(reference) => {
                let entity = String::from_utf8(reference.to_vec()).expect("utf-8");
                let decoded = quick_xml::escape::unescape(&format!("&{entity};"))
                    .expect("entity")
                    .into_owned();
                let value = node
                    .entry("value".to_owned())
                    .or_insert_with(|| Value::String(String::new()));
                *value = Value::String(format!("{}{decoded}", value.as_str().unwrap_or_default()));
            }
            Event::End(_) | Event::Eof => return node,
            _ => {}
        }
    }
}

/// The JSON form with every scalar as text and every child as a list
/// (empty lists left out).
pub fn json_tree(value: &Value) -> Value {
    let mut node = serde_json::Map::new();
    for (key, member) in value.as_object().expect("an object") {
        match member {
            Value::Object(_) => {
                node.insert(key.clone(), Value::Array(vec![json_tree(member)]));
            }
            // An empty list is no element at all in XML.
            Value::Array(items) if items.is_empty() => {}
            Value::Array(items) => {
                node.insert(key.clone(), Value::Array(items.iter().map(json_tree).collect()));
            }
            Value::String(text) => {
                node.insert(key.clone(), Value::String(text.clone()));
            }
            Value::Null => {}
            scalar => {
                node.insert(key.clone(), Value::String(scalar.to_string()));
            }
        }
    }
    Value::Object(node)
}
