"use strict";
const root = document.getElementById("root");
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
};
const resolve = (doc, schema) => {
  if (schema && schema.$ref) {
    const name = schema.$ref.split("/").pop();
    return (doc.components && doc.components.schemas && doc.components.schemas[name]) || schema;
  }
  return schema;
};
function operation(doc, path, method, op) {
  const box = el("details");
  box.append(el("summary", {}, el("span", { class: "m " + method }, method), path, "  ", op.summary || ""));
  const body = el("div", { class: "body" });
  if (op.description) body.append(el("p", {}, op.description));
  const inputs = {};
  for (const param of op.parameters || []) {
    const input = el("input", { placeholder: param.in + (param.required ? ", required" : "") });
    inputs[param.name] = { param, input };
    body.append(el("label", {}, param.name + " (" + param.in + ")"), input);
  }
  let bodyInput = null;
  const content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (content) {
    const schema = resolve(doc, content.schema);
    body.append(el("label", {}, "JSON body"), el("pre", {}, JSON.stringify(schema, null, 2)));
    bodyInput = el("textarea", { rows: 5 });
    body.append(bodyInput);
  }
  const responses = Object.entries(op.responses || {}).map(([code, r]) => code + " " + (r.description || "")).join("\n");
  body.append(el("label", {}, "Responses"), el("pre", {}, responses));
  const output = el("pre");
  const send = el("button", {}, "Send");
  send.addEventListener("click", async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const { param, input } of Object.values(inputs)) {
      if (!input.value) continue;
      if (param.in === "path") url = url.replace("{" + param.name + "}", encodeURIComponent(input.value));
      if (param.in === "query") query.set(param.name, input.value);
    }
    if ([...query].length) url += "?" + query;
    const init = { method: method.toUpperCase(), credentials: "same-origin", headers: {} };
    if (bodyInput && bodyInput.value) { init.body = bodyInput.value; init.headers["content-type"] = "application/json"; }
    output.textContent = "…";
    try {
      const response = await fetch(url, init);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON */ }
      output.textContent = response.status + " " + response.statusText + "\n\n" + shown;
    } catch (error) { output.textContent = String(error); }
  });
  body.append(send, output);
  box.append(body);
  return box;
}
async function main() {
  const response = await fetch("/api/docs/openapi.json", { credentials: "same-origin" });
  const doc = await response.json();
  root.textContent = "";
  root.append(el("h1", {}, (doc.info && doc.info.title) || "API"));
  if (doc.info && doc.info.description) root.append(el("p", {}, doc.info.description));
  const missing = (doc.info && doc.info["x-tonearm-missing-services"]) || [];
  if (missing.length) root.append(el("p", { class: "warn" }, "Not included (service unreachable or without a document): " + missing.join(", ")));
  const groups = {};
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete", "head"].includes(method)) continue;
      const tag = (op.tags && op.tags[0]) || path.split("/")[2] || "other";
      (groups[tag] = groups[tag] || []).push([path, method, op]);
    }
  }
  for (const tag of Object.keys(groups).sort()) {
    root.append(el("h2", {}, tag));
    for (const [path, method, op] of groups[tag]) root.append(operation(doc, path, method, op));
  }
}
main().catch((error) => { root.textContent = "Could not load the API document: " + error; });
